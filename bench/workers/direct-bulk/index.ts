import { Hono } from "hono";

interface Env {
  DB: D1Database;
}

/**
 * The direct-bulk baseline: what a competent simple Worker does. The request's body is bound
 * as it came and its events are stored with one `json_each` INSERT into a raw table (a resent
 * uuid is ignored) before answering 202. No validation, no queue, no aggregates: counting what
 * it stored is left to whoever reads the table. `GET /count` is how the bench sees it.
 */
const INSERT = `INSERT OR IGNORE INTO raw_events (uuid, app, event, distinct_id, timestamp, received_at, properties)
SELECT e.value->>'uuid', ?1->>'app', e.value->>'event', e.value->>'distinct_id', e.value->>'timestamp', ?2, e.value->'properties'
FROM json_each(?1, '$.events') AS e`;

const app = new Hono<{ Bindings: Env }>();

app.get("/healthz", (c) => c.json({ ok: true }));

app.post("/v1/events", async (c) => {
  const body = await c.req.text();
  try {
    const result = await c.env.DB.prepare(INSERT).bind(body, Date.now()).run();
    return c.json({ accepted: result.meta.changes }, 202);
  } catch {
    return c.json({ error: "invalid_batch" }, 400);
  }
});

app.get("/count", async (c) => {
  const row = await c.env.DB.prepare("SELECT COUNT(*) AS n FROM raw_events").first<{ n: number }>();
  return c.json({ events: row?.n ?? 0 });
});

export default app;
