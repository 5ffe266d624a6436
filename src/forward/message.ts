import { z } from "zod";

/**
 * One message of the forward queue: accepted events of one app on their way to the upstream
 * PostHog, exactly as edgehog stored them (declared properties only, digests as sent).
 */
export const forwardedEventSchema = z.object({
  uuid: z.string(),
  event: z.string(),
  distinct_id: z.string(),
  /** Event time after clock-skew correction, ms since the epoch. */
  timestamp: z.number(),
  properties: z.record(z.string(), z.union([z.string(), z.number(), z.boolean()])),
});
export type ForwardedEvent = z.infer<typeof forwardedEventSchema>;

export const forwardMessageSchema = z.object({
  v: z.literal(1),
  app: z.string().min(1),
  events: z.array(forwardedEventSchema),
});
export type ForwardMessage = z.infer<typeof forwardMessageSchema>;
