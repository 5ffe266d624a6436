import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import worker from "../../src/index";
import type { BatchMessage, StoredEvent } from "../../src/ingest/queue-message";
import { randomDigest } from "./events";

export function storedEvent(overrides: Partial<StoredEvent> = {}): StoredEvent {
  return {
    uuid: crypto.randomUUID(),
    event: "connect.protocol.use",
    distinct_id: crypto.randomUUID(),
    timestamp: Date.parse("2026-11-20T10:00:00Z"),
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

/** Delivers message bodies to the Worker's queue handler, as the Queue would. */
export async function deliver(
  bodies: unknown[],
  targetEnv: Env = env,
  options: { queue?: string; attempts?: number; ids?: string[] } = {},
) {
  const messages = bodies.map((body, i) => ({
    id: options.ids?.[i] ?? `msg-${i}-${crypto.randomUUID()}`,
    timestamp: new Date(),
    attempts: options.attempts ?? 1,
    body,
  }));
  const batch = createMessageBatch(options.queue ?? "edgehog-events", messages);
  // The test harness records which messages were retried, not after how long: record that too.
  const retryDelays: Record<string, number | undefined> = {};
  for (const message of batch.messages) {
    const retry = message.retry.bind(message);
    message.retry = (retryOptions) => {
      retryDelays[message.id] = retryOptions?.delaySeconds;
      retry(retryOptions);
    };
  }
  const ctx = createExecutionContext();
  await worker.queue(batch, targetEnv);
  const result = await getQueueResult(batch, ctx);
  return { ...result, retryDelays, ids: messages.map((m) => m.id) };
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

/** Every aggregate table, for before/after comparisons. */
export async function aggregatesSnapshot(db: D1Database) {
  const [counts, installs, rejections, dropped, events] = await db.batch([
    db.prepare("SELECT * FROM daily_event_counts ORDER BY app, day, event, app_version, os"),
    db.prepare("SELECT * FROM daily_active_installs ORDER BY app, day, distinct_id"),
    db.prepare("SELECT * FROM daily_rejections ORDER BY app, day, error"),
    db.prepare("SELECT * FROM daily_dropped_properties ORDER BY app, day, event, property"),
    db.prepare("SELECT COUNT(*) AS n FROM events"),
  ]);
  return {
    counts: counts?.results,
    installs: installs?.results,
    rejections: rejections?.results,
    dropped: dropped?.results,
    rawEvents: (events?.results[0] as { n: number }).n,
  };
}
