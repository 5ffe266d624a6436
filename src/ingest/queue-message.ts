import { z } from "zod";

/** One accepted event, as it travels on the Queue and is stored in D1. */
export const storedEventSchema = z.object({
  uuid: z.string(),
  event: z.string(),
  distinct_id: z.string(),
  /** Event time after clock-skew correction, ms since the epoch. */
  timestamp: z.number(),
  app_version: z.string(),
  os: z.string(),
  properties: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
});
export type StoredEvent = z.infer<typeof storedEventSchema>;

/**
 * One Queue message: a slice of one accepted batch (never one event per message, to stay
 * far under the Queues message rate). `batch_id` is unique per message, so per-batch counters
 * (rejections, dropped properties) are added once even when the message is redelivered.
 */
export const batchMessageSchema = z.object({
  v: z.literal(1),
  batch_id: z.string().min(1),
  app: z.string().min(1),
  received_at: z.number(),
  country: z.string().nullable(),
  tenant_id: z.string().nullable(),
  events: z.array(storedEventSchema),
  /** Per-event rejections of the request, by error code. */
  rejections: z.record(z.string(), z.number().int().nonnegative()),
  /** Undeclared properties that were dropped, by event then property name. */
  dropped_properties: z.record(z.string(), z.record(z.string(), z.number().int().nonnegative())),
});
export type BatchMessage = z.infer<typeof batchMessageSchema>;
