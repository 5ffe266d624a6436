import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { ARCHIVE_KEY, ARCHIVE_ROOT, type ArchivedEvent, eventsOf } from "../../src/archive/objects";
import worker from "../../src/index";
import { type BatchMessage, type QueuedBatch, type StoredEvent, storedEventsOf } from "../../src/ingest/queue-message";
import { randomDigest } from "./events";

/** An accepted event as the ingest core enqueues it (sent without sent_at: its time as the client wrote it). */
export function storedEvent(overrides: Partial<StoredEvent> = {}): StoredEvent {
  const timestamp = overrides.timestamp ?? Date.parse("2026-11-20T10:00:00Z");
  return {
    uuid: crypto.randomUUID(),
    event: "connect.protocol.use",
    distinct_id: crypto.randomUUID(),
    timestamp,
    client_timestamp: timestamp,
    app_version: "17.0.1",
    os: "linux",
    properties: { cluster_name: randomDigest(), user_name: randomDigest(), protocol: "ssh" },
    ...overrides,
  };
}

export function batchMessage(events: StoredEvent[], overrides: Partial<BatchMessage> = {}): BatchMessage {
  return {
    v: 1,
    batch_id: crypto.randomUUID(),
    app: "teleport-connect",
    received_at: Date.parse("2026-11-20T10:05:00Z"),
    country: "DE",
    tenant_id: null,
    events,
    rejections: {},
    dropped_properties: {},
    ...overrides,
  };
}

/**
 * The test harness records which messages were retried, not after how long: this records the
 * delay each retried message asked for, by message id.
 */
function recordRetryDelays(batch: MessageBatch<unknown>): Record<string, number | undefined> {
  const retryDelays: Record<string, number | undefined> = {};
  for (const message of batch.messages) {
    const retry = message.retry.bind(message);
    message.retry = (retryOptions) => {
      retryDelays[message.id] = retryOptions?.delaySeconds;
      retry(retryOptions);
    };
  }
  return retryDelays;
}

/**
 * Delivers message bodies to the Worker's queue handler, as the Queue would (or to `consume`,
 * a consumer called with what the test injects, such as a fake upstream).
 */
export async function deliver(
  bodies: unknown[],
  targetEnv: Env = env,
  options: {
    queue?: string;
    attempts?: number;
    ids?: string[];
    consume?: (batch: MessageBatch<unknown>, env: Env) => Promise<void>;
  } = {},
) {
  const messages = bodies.map((body, i) => ({
    id: options.ids?.[i] ?? `msg-${i}-${crypto.randomUUID()}`,
    timestamp: new Date(),
    attempts: options.attempts ?? 1,
    body,
  }));
  const batch = createMessageBatch(options.queue ?? "edgehog-events", messages);
  const retryDelays = recordRetryDelays(batch);
  const ctx = createExecutionContext();
  await (options.consume ?? worker.queue)(batch, targetEnv);
  const result = await getQueueResult(batch, ctx);
  return { ...result, retryDelays, ids: messages.map((m) => m.id) };
}

/** How a Queue double answers a send: as the real Queue it passes to, or by failing or never answering. */
export interface QueueDoubleOptions<T> {
  /** The real local Queue to hand each body on to (no consumer runs without one). */
  passTo?: Queue<T>;
  /** Milliseconds each send waits before it is recorded and answered. */
  delayMs?: number;
  /** "throw": every send is recorded, then fails, as during an outage; "hang": it never settles. */
  fail?: "throw" | "hang";
}

/**
 * The Queue double: records each body sent (`bodies`), then answers as `options` say. Prefer the
 * real Queue (`passTo`, or none of this) where a test can read what the consumer stored.
 */
export function recordingQueue<T = unknown>(
  options: QueueDoubleOptions<T> = {},
  onBody: (body: T) => void = () => {},
): { queue: Queue<T>; bodies: T[] } {
  const bodies: T[] = [];
  const answer = async (sent: T[], pass: (queue: Queue<T>) => Promise<unknown>) => {
    if (options.delayMs) await new Promise((resolve) => setTimeout(resolve, options.delayMs));
    for (const body of sent) {
      bodies.push(body);
      onBody(body);
    }
    if (options.fail === "hang") return new Promise<never>(() => {});
    if (options.fail === "throw") throw new Error("queue unavailable (test)");
    if (options.passTo) await pass(options.passTo);
  };
  const queue = {
    send: (body: T, sendOptions?: QueueSendOptions) => answer([body], (real) => real.send(body, sendOptions)),
    sendBatch: (messages: Iterable<MessageSendRequest<T>>, batchOptions?: QueueSendBatchOptions) => {
      const list = [...messages];
      return answer(
        list.map((message) => message.body),
        (real) => real.sendBatch(list, batchOptions),
      );
    },
    metrics: () => (options.passTo ?? env.EVENTS_QUEUE).metrics(),
  } as unknown as Queue<T>;
  return { queue, bodies };
}

/** The events Queue's double: `recordingQueue`, and the events its messages carry, as they are sent. */
export function recordingEventsQueue(options: QueueDoubleOptions<QueuedBatch> = {}) {
  const events: StoredEvent[] = [];
  const { queue, bodies } = recordingQueue<QueuedBatch>(options, (body) => events.push(...storedEventsOf(body)));
  return { queue: queue as Queue, bodies, events };
}

/** A D1 binding whose every query fails, as during an outage. */
export const unavailableDb = new Proxy({} as D1Database, {
  get: (_target, method) => () => {
    if (method === "prepare") {
      return new Proxy({} as D1PreparedStatement, {
        get: (_statement, name) =>
          name === "bind"
            ? () => unavailableDb.prepare("")
            : async () => {
                throw new Error("D1 is unavailable");
              },
      });
    }
    return Promise.reject(new Error("D1 is unavailable"));
  },
});

/** Every aggregate table and the dedupe index's size, for before/after comparisons. */
export async function aggregatesSnapshot(db: D1Database) {
  const [counts, installs, rejections, dropped, keys] = await db.batch([
    db.prepare("SELECT * FROM daily_event_counts ORDER BY app, day, event, app_version, os"),
    db.prepare("SELECT * FROM daily_active_installs ORDER BY app, day, distinct_id"),
    db.prepare("SELECT * FROM daily_rejections ORDER BY app, day, error"),
    db.prepare("SELECT * FROM daily_dropped_properties ORDER BY app, day, event, property"),
    db.prepare(
      "SELECT coalesce((SELECT SUM(length(uuids)) / 16 FROM event_packs), 0) + (SELECT COUNT(*) FROM event_uuids) AS n",
    ),
  ]);
  return {
    counts: counts?.results,
    installs: installs?.results,
    rejections: rejections?.results,
    dropped: dropped?.results,
    /** Uuids in the dedupe index (packed, and single keys from before packs): each stored event once. */
    dedupeKeys: (keys?.results[0] as { n: number }).n,
  };
}

/** Every object of the raw-event archive (R2), with its events, in key order. */
export async function archiveObjects(bucket: R2Bucket = env.ARCHIVE) {
  const objects: { key: string; events: ArchivedEvent[] }[] = [];
  let cursor: string | undefined;
  do {
    const page = await bucket.list({ prefix: ARCHIVE_ROOT, ...(cursor ? { cursor } : {}) });
    for (const object of page.objects) {
      const body = await bucket.get(object.key);
      if (!body) continue;
      const app = decodeURIComponent(ARCHIVE_KEY.exec(object.key)?.[1] ?? "");
      objects.push({ key: object.key, events: await eventsOf(object.key, app, body) });
    }
    cursor = page.truncated ? page.cursor : undefined;
  } while (cursor);
  return objects.sort((a, b) => a.key.localeCompare(b.key));
}

/** Every archived event (a uuid may appear more than once: the archive is at least once). */
export async function archivedEvents(bucket: R2Bucket = env.ARCHIVE): Promise<ArchivedEvent[]> {
  return (await archiveObjects(bucket)).flatMap((object) => object.events);
}

/** Empties the archive (between tests of one file, which share their storage). */
export async function emptyArchive(bucket: R2Bucket = env.ARCHIVE): Promise<void> {
  for (;;) {
    const page = await bucket.list({ prefix: ARCHIVE_ROOT });
    if (page.objects.length === 0) return;
    await bucket.delete(page.objects.map((object) => object.key));
  }
}

/** The archived lines of one event uuid (the archive is at least once; one delivery writes it once). */
export async function archivedWithUuid(uuid: string, bucket: R2Bucket = env.ARCHIVE): Promise<ArchivedEvent[]> {
  return (await archivedEvents(bucket)).filter((event) => event.uuid === uuid);
}

/**
 * Times the dedupe index holds an event uuid (at a 16-byte boundary of a pack, or as a single key
 * from before packs): 1 once the consumer stored it.
 */
export async function dedupeKeysOf(uuid: string, db: D1Database = env.DB): Promise<number> {
  const { results } = await db
    .prepare("SELECT hex(uuids) AS hex FROM event_packs WHERE instr(uuids, unhex(?1, '-')) > 0")
    .bind(uuid)
    .all<{ hex: string }>();
  const wanted = uuid.replaceAll("-", "").toUpperCase();
  let n = 0;
  for (const { hex } of results) {
    for (let i = 0; i < hex.length; i += 32) if (hex.slice(i, i + 32) === wanted) n++;
  }
  const single = await db
    .prepare("SELECT COUNT(*) AS n FROM event_uuids WHERE uuid = unhex(?1, '-')")
    .bind(uuid)
    .first<{ n: number }>();
  return n + (single?.n ?? 0);
}
