import { groupForSend, MAX_MESSAGE_BYTES, type SizedMessage, V8_BYTES_PER_JSON_BYTE } from "../lib/queue-send";
import { eventTupleOf, type QueuedBatch, type StoredEvent } from "./queue-message";

/** Packs an accepted batch into Queue messages and sends them: the last step of the ingest core. */

export interface AcceptedBatch {
  app: string;
  receivedAt: number;
  country: string | null;
  tenantId: string | null;
  events: StoredEvent[];
  /** Upper bound of each event's size as UTF-8 JSON (as an object, so as a tuple too), index-aligned with `events`. */
  eventBytes: number[];
  rejections: Record<string, number>;
  droppedProperties: Record<string, Record<string, number>>;
  /** Events refused as unknown, by name as unknown-events.ts keeps it. */
  unknownEvents?: Record<string, number>;
}

type PackedMessage = SizedMessage<QueuedBatch>;

/**
 * Packs an accepted batch into as few Queue messages as the size limits allow. The batch's
 * counters ride on the first message only, so they are added once.
 */
export function packMessages(batch: AcceptedBatch): PackedMessage[] {
  const counters = {
    rejections: batch.rejections,
    dropped_properties: batch.droppedProperties,
    unknown_events: batch.unknownEvents ?? {},
  };
  const countersBytes = JSON.stringify(counters).length;
  const newMessage = (first: boolean): PackedMessage => ({
    body: {
      v: 2,
      batch_id: crypto.randomUUID(),
      app: batch.app,
      received_at: batch.receivedAt,
      country: batch.country,
      tenant_id: batch.tenantId,
      events: [],
      rejections: first ? counters.rejections : {},
      dropped_properties: first ? counters.dropped_properties : {},
      ...(first && Object.keys(counters.unknown_events).length > 0 ? { unknown_events: counters.unknown_events } : {}),
    },
    // Envelope fields, generously rounded up.
    bytes: V8_BYTES_PER_JSON_BYTE * (400 + (first ? countersBytes : 0)),
  });

  const messages = [newMessage(true)];
  batch.events.forEach((event, i) => {
    const size = V8_BYTES_PER_JSON_BYTE * ((batch.eventBytes[i] ?? MAX_MESSAGE_BYTES) + 1);
    let current = messages[messages.length - 1] as PackedMessage;
    if (current.body.events.length > 0 && current.bytes + size > MAX_MESSAGE_BYTES) {
      current = newMessage(false);
      messages.push(current);
    }
    current.body.events.push(eventTupleOf(event));
    current.bytes += size;
  });
  return messages;
}

/**
 * Makes an accepted batch durable on the Queue. Resolves only once every sendBatch call has
 * resolved; any failure is a 503 with Retry-After, so the client sends the batch again (the
 * event uuids make the resend harmless). A message is sent as a value ("v8", the Queues
 * default): the runtime serialises it natively and the consumer receives the value, with no
 * JSON text written by the ingest core and parsed again by the consumer (docs/PERFORMANCE.md,
 * "Queue messages as values"). The consumer checks it all the same (parseBatchMessage).
 */
export async function enqueueBatch(queue: Queue, batch: AcceptedBatch): Promise<number> {
  const groups = groupForSend(packMessages(batch));
  await Promise.all(
    groups.map((group) => queue.sendBatch(group.map((message) => ({ body: message.body, contentType: "v8" })))),
  );
  return groups.reduce((n, group) => n + group.length, 0);
}
