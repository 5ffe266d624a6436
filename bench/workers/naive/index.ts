import { Hono } from "hono";

interface Env {
  DB: D1Database;
}

interface NaiveEvent {
  uuid: string;
  event: string;
  distinct_id: string;
  timestamp: string;
  properties?: Record<string, unknown>;
}

interface NaiveBatch {
  app: string;
  events: NaiveEvent[];
}

const INSERT = `INSERT OR IGNORE INTO events
  (uuid, app, event, distinct_id, timestamp, received_at, day, app_version, os, country, tenant_id, properties)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, NULL, NULL, ?10)`;

/**
 * The naive baseline: no validation, no queue, no aggregates: every event of a request is
 * inserted into edgehog's `events` table with one statement of its own, before answering.
 * `GET /count` is how the bench sees what it stored.
 */
const app = new Hono<{ Bindings: Env }>();

app.get("/healthz", (c) => c.json({ ok: true }));

app.post("/v1/events", async (c) => {
  const batch = await c.req.json<NaiveBatch>();
  const receivedAt = Date.now();
  let stored = 0;
  for (const event of batch.events) {
    const timestamp = Date.parse(event.timestamp);
    const properties = event.properties ?? {};
    const result = await c.env.DB.prepare(INSERT)
      .bind(
        event.uuid,
        batch.app,
        event.event,
        event.distinct_id,
        timestamp,
        receivedAt,
        new Date(timestamp).toISOString().slice(0, 10),
        String(properties.app_version ?? ""),
        String(properties.os ?? ""),
        JSON.stringify(properties),
      )
      .run();
    stored += result.meta.changes;
  }
  return c.json({ accepted: batch.events.length, stored }, 202);
});

app.get("/count", async (c) => {
  const row = await c.env.DB.prepare("SELECT COUNT(*) AS n FROM events").first<{ n: number }>();
  return c.json({ events: row?.n ?? 0 });
});

export default app;
