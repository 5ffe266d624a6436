import type { BatchMessage, StoredEvent } from "../ingest/queue-message";
import { toHex } from "../lib/bytes";
import { sha256 } from "../lib/crypto";
import { objectKey } from "./objects";
import { encodeParquet, PARQUET_CONTENT_TYPE, type ParquetEvent } from "./parquet";

/**
 * Archives a delivery's events to R2 before the consumer acknowledges it: one Parquet object
 * (objects.ts, parquet.ts) per app and hour the events were received in (a delivery holds the last second or so: one object,
 * two across an hour's end), written concurrently. Partitioning by arrival rather than by the
 * events' own time keeps late events (a client back from days offline) from scattering a
 * delivery over dozens of small objects. Keys are derived from the messages' batch ids: when
 * the Queue delivers the same messages again, the objects are overwritten, not duplicated. A
 * resend by the client (new batch ids, same uuids) is archived again: the archive holds every
 * accepted event at least once, and readers keep one line per uuid (docs/SCALING.md). Events
 * of forgotten installs are left out.
 */

/** Objects written at once: a delivery rarely spans more hours, and workerd caps open connections. */
const PUT_CONCURRENCY = 6;

export interface ArchiveResult {
  objects: number;
  events: number;
  bytes: number;
  /** The objects written. */
  keys: Set<string>;
  /** The installs whose events they hold. */
  installs: Set<string>;
}

export async function archiveDelivery(
  bucket: R2Bucket,
  messages: readonly BatchMessage[],
  events: readonly { message: BatchMessage; event: StoredEvent }[],
  forgotten: ReadonlySet<string>,
): Promise<ArchiveResult> {
  const delivery = await deliveryId(messages);
  const partitions = new Map<string, { app: string; day: string; hour: string; events: ParquetEvent[] }>();
  const installs = new Set<string>();
  // The events come message by message, and a message's events share its partition.
  let lastMessage: BatchMessage | undefined;
  let rows: ParquetEvent[] = [];
  for (const { message, event } of events) {
    if (forgotten.has(event.distinct_id)) continue;
    installs.add(event.distinct_id);
    if (message !== lastMessage) {
      lastMessage = message;
      const received = new Date(message.received_at).toISOString();
      const day = received.slice(0, 10);
      const hour = received.slice(11, 13);
      const key = `${message.app}\u0000${day}\u0000${hour}`;
      let partition = partitions.get(key);
      if (!partition) {
        partition = { app: message.app, day, hour, events: [] };
        partitions.set(key, partition);
      }
      rows = partition.events;
    }
    rows.push(archivedEvent(message, event));
  }

  const result: ArchiveResult = { objects: 0, events: 0, bytes: 0, keys: new Set(), installs };
  const pending = [...partitions.values()];
  const write = async () => {
    for (let partition = pending.shift(); partition; partition = pending.shift()) {
      const key = objectKey(partition.app, partition.day, partition.hour, delivery);
      const body = encodeParquet(partition.events);
      result.keys.add(key);
      await bucket.put(key, body, {
        httpMetadata: { contentType: PARQUET_CONTENT_TYPE },
        customMetadata: { events: String(partition.events.length) },
      });
      result.objects++;
      result.events += partition.events.length;
      result.bytes += body.byteLength;
    }
  };
  await Promise.all(Array.from({ length: Math.min(PUT_CONCURRENCY, pending.length) }, write));
  return result;
}

/** A delivery's name: the first 16 bytes of SHA-256 over its messages' batch ids, sorted. */
export async function deliveryId(messages: readonly BatchMessage[]): Promise<string> {
  const ids = messages.map((message) => message.batch_id).sort();
  return toHex((await sha256(ids.join("\n"))).subarray(0, 16));
}

/** One event as the archive holds it (its app is its partition). */
function archivedEvent(message: BatchMessage, event: StoredEvent): ParquetEvent {
  return {
    uuid: event.uuid,
    event: event.event,
    distinct_id: event.distinct_id,
    timestamp: event.timestamp,
    received_at: message.received_at,
    app_version: event.app_version,
    os: event.os,
    country: message.country,
    tenant_id: message.tenant_id,
    properties: event.properties,
  };
}
