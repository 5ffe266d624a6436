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
export async function deliver(bodies: unknown[], targetEnv: Env = env) {
  const messages = bodies.map((body, i) => ({
    id: `msg-${i}-${crypto.randomUUID()}`,
    timestamp: new Date(),
    attempts: 1,
    body,
  }));
  const batch = createMessageBatch("edgehog-events", messages);
  const ctx = createExecutionContext();
  await worker.queue(batch, targetEnv);
  const result = await getQueueResult(batch, ctx);
  return { ...result, ids: messages.map((m) => m.id) };
}

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
