import { z } from "zod";

/** One accepted event, as the consumer reads it (D1 aggregates, R2 archive). */
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
 * One accepted event as version 2 messages carry it: its fields by position, and its client
 * time as an offset from its corrected time (0 unless the clock was corrected). The field names
 * were a fifth of a message's bytes, written by every request and parsed by the consumer.
 */
export const eventTupleSchema = z.tuple([
  z.string(), // uuid
  z.string(), // event
  z.string(), // distinct_id
  z.number(), // timestamp
  z.number(), // client_timestamp − timestamp
  z.string(), // app_version
  z.string(), // os
  storedEventSchema.shape.properties,
]);
export type EventTuple = z.infer<typeof eventTupleSchema>;

export function eventTupleOf(event: StoredEvent): EventTuple {
  const offset = event.client_timestamp === undefined ? 0 : event.client_timestamp - event.timestamp;
  return [
    event.uuid,
    event.event,
    event.distinct_id,
    event.timestamp,
    offset,
    event.app_version,
    event.os,
    event.properties,
  ];
}

export function storedEventOf(tuple: EventTuple): StoredEvent {
  const [uuid, event, distinct_id, timestamp, offset, app_version, os, properties] = tuple;
  return { uuid, event, distinct_id, timestamp, client_timestamp: timestamp + offset, app_version, os, properties };
}

/**
 * One Queue message: a slice of one accepted batch (never one event per message, to stay
 * far under the Queues message rate). `batch_id` is unique per message, so per-batch counters
 * (rejections, dropped properties) are added once even when the message is redelivered.
 */
const envelope = {
  batch_id: z.string().min(1),
  app: z.string().min(1),
  received_at: z.number(),
  country: z.string().nullable(),
  tenant_id: z.string().nullable(),
  /** Per-event rejections of the request, by error code. */
  rejections: z.record(z.string(), z.number().int().nonnegative()),
  /** Undeclared properties that were dropped, by event then property name. */
  dropped_properties: z.record(z.string(), z.record(z.string(), z.number().int().nonnegative())),
  /** Events refused as unknown_event, by name: a catalogue name or "(other)" (unknown-events.ts); absent when none. */
  unknown_events: z.record(z.string(), z.number().int().nonnegative()).optional(),
};

/** A message as the consumer reads it; version 1 messages are carried this way too. */
export const batchMessageSchema = z.object({ v: z.literal(1), ...envelope, events: z.array(storedEventSchema) });
export type BatchMessage = z.infer<typeof batchMessageSchema>;

/** What the ingest core sends. The consumer reads both versions (version 1 messages may still be queued). */
export const queuedBatchSchema = z.object({ v: z.literal(2), ...envelope, events: z.array(eventTupleSchema) });
export type QueuedBatch = z.infer<typeof queuedBatchSchema>;

/** Either version: the consumer's schema, which decides on anything its plain check does not take. */
export const queueMessageSchema = z.discriminatedUnion("v", [batchMessageSchema, queuedBatchSchema]);

export function batchMessageOf(queued: QueuedBatch): BatchMessage {
  return { ...queued, v: 1 as const, events: queued.events.map(storedEventOf) };
}

/** The events of a message of either version, as the consumer reads them. */
export function storedEventsOf(body: BatchMessage | QueuedBatch): StoredEvent[] {
  return body.v === 1 ? body.events : body.events.map(storedEventOf);
}

export type ParsedBatchMessage = { success: true; data: BatchMessage } | { success: false; error: z.ZodError };

/**
 * The consumer's check of a message (a value, or JSON text): plain code for messages as the
 * ingest core writes them (zod over 10,000 events took a quarter of a delivery's time), and the
 * zod schema for anything unusual, which decides and says why. What the plain check accepts,
 * the schema accepts too (a property test holds them to it).
 */
export function parseBatchMessage(sent: unknown): ParsedBatchMessage {
  // The ingest core sends values (enqueue.ts), which arrive as they were sent, as do re-driven
  // messages; versions before sent JSON text, which may still be queued during a deploy. Text
  // that is not JSON stays a string, which the schema refuses.
  let body = sent;
  if (typeof sent === "string") {
    try {
      body = JSON.parse(sent);
    } catch {
      // left as the string it is
    }
  }
  if (isPlainMessage(body, 2, isPlainTuple)) return { success: true, data: batchMessageOf(body as QueuedBatch) };
  if (isPlainMessage(body, 1, isPlainEvent)) return { success: true, data: body as BatchMessage };
  const parsed = queueMessageSchema.safeParse(body);
  if (!parsed.success) return parsed;
  return { success: true, data: parsed.data.v === 1 ? parsed.data : batchMessageOf(parsed.data) };
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

function isPlainTuple(value: unknown): boolean {
  return (
    Array.isArray(value) &&
    value.length === 8 &&
    typeof value[0] === "string" &&
    typeof value[1] === "string" &&
    typeof value[2] === "string" &&
    isNumber(value[3]) &&
    isNumber(value[4]) &&
    typeof value[5] === "string" &&
    typeof value[6] === "string" &&
    isRecordOf(value[7], isPropertyValue)
  );
}

function isPlainMessage(value: unknown, version: 1 | 2, isEvent: (value: unknown) => boolean): boolean {
  return (
    isObject(value) &&
    value.v === version &&
    typeof value.batch_id === "string" &&
    value.batch_id.length > 0 &&
    typeof value.app === "string" &&
    value.app.length > 0 &&
    isNumber(value.received_at) &&
    nullableString(value.country) &&
    nullableString(value.tenant_id) &&
    Array.isArray(value.events) &&
    value.events.every(isEvent) &&
    isRecordOf(value.rejections, isCount) &&
    isRecordOf(value.dropped_properties, (names) => isRecordOf(names, isCount)) &&
    (value.unknown_events === undefined || isRecordOf(value.unknown_events, isCount))
  );
}
