import { z } from "zod";

/** One accepted event, as it travels on the Queue to the consumer (D1 aggregates, R2 archive). */
export const storedEventSchema = z.object({
  uuid: z.string(),
  event: z.string(),
  distinct_id: z.string(),
  /** Event time after clock-skew correction, ms since the epoch. */
  timestamp: z.number(),
  /**
   * The event's timestamp as its client sent it (ms), before correction: every resend repeats
   * it, so it places the uuid in the dedupe index. Absent from messages of earlier versions.
   */
  client_timestamp: z.number().optional(),
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

/**
 * The consumer's check of a message: plain code for messages as the ingest core writes them
 * (zod over 10,000 events took a quarter of a delivery's time), and the zod schema for
 * anything unusual, which decides and says why. What the plain check accepts, the schema
 * accepts too (a property test holds them to it).
 */
export function parseBatchMessage(body: unknown): z.ZodSafeParseResult<BatchMessage> {
  if (isPlainBatchMessage(body)) return { success: true, data: body };
  return batchMessageSchema.safeParse(body);
}

type Loose = Record<string, unknown>;

const isObject = (value: unknown): value is Loose =>
  typeof value === "object" && value !== null && Object.getPrototypeOf(value) === Object.prototype;
const isNumber = (value: unknown): value is number => typeof value === "number" && Number.isFinite(value);
const isCount = (value: unknown) => Number.isSafeInteger(value) && (value as number) >= 0;
const nullableString = (value: unknown) => value === null || typeof value === "string";
/** Keys a plain object may have without the schema's say (anything else goes to zod). */
const isPlainKey = (key: string) => key !== "__proto__" && key !== "constructor";

function isRecordOf(value: unknown, item: (value: unknown) => boolean): boolean {
  if (!isObject(value)) return false;
  for (const key in value) if (!Object.hasOwn(value, key) || !isPlainKey(key) || !item(value[key])) return false;
  return true;
}

const isPropertyValue = (value: unknown) => typeof value === "string" || typeof value === "boolean" || isNumber(value);

function isPlainEvent(value: unknown): boolean {
  if (!isObject(value)) return false;
  return (
    typeof value.uuid === "string" &&
    typeof value.event === "string" &&
    typeof value.distinct_id === "string" &&
    isNumber(value.timestamp) &&
    (value.client_timestamp === undefined || isNumber(value.client_timestamp)) &&
    typeof value.app_version === "string" &&
    typeof value.os === "string" &&
    isRecordOf(value.properties, isPropertyValue)
  );
}

function isPlainBatchMessage(value: unknown): value is BatchMessage {
  return (
    isObject(value) &&
    value.v === 1 &&
    typeof value.batch_id === "string" &&
    value.batch_id.length > 0 &&
    typeof value.app === "string" &&
    value.app.length > 0 &&
    isNumber(value.received_at) &&
    nullableString(value.country) &&
    nullableString(value.tenant_id) &&
    Array.isArray(value.events) &&
    value.events.every(isPlainEvent) &&
    isRecordOf(value.rejections, isCount) &&
    isRecordOf(value.dropped_properties, (names) => isRecordOf(names, isCount))
  );
}
