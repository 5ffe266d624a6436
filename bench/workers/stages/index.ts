import { Hono } from "hono";
import { limitsOf } from "../../../src/config";
import type { Env } from "../../../src/env";
import { readJsonBody } from "../../../src/http/read-body";
import { enqueueBatch } from "../../../src/pipeline/enqueue";
import { validateBatch } from "../../../src/pipeline/validate-batch";

/**
 * `POST /v1/events?stage=read|parse|validate|enqueue`: the collector's ingest path stopped
 * after the named stage (each includes the ones before it). The bench's `stages` scenario
 * drives each stage and reports the cost of each step as the drop in requests/s.
 */
const app = new Hono<{ Bindings: Env }>();

app.get("/healthz", (c) => c.json({ ok: true }));

app.post("/v1/events", async (c) => {
  const stage = c.req.query("stage") ?? "enqueue";
  if (stage === "read") {
    const bytes = await c.req.arrayBuffer();
    return c.json({ accepted: 0, bytes: bytes.byteLength }, 202);
  }
  const limits = limitsOf(c.env);
  const receivedAt = Date.now();
  const body = await readJsonBody(c.req.raw, limits);
  if (stage === "parse") return c.json({ accepted: 0 }, 202);
  const batch = validateBatch(body, {
    receivedAt,
    tenantId: null,
    maxEventsPerBatch: limits.maxEventsPerBatch,
    maxEventBytes: limits.maxEventBytes,
  });
  const result = { accepted: batch.events.length, duplicates: batch.duplicates, rejected: batch.rejected };
  if (stage === "validate") return c.json(result, 202);
  await enqueueBatch(c.env.EVENTS_QUEUE, {
    app: batch.app,
    receivedAt,
    country: null,
    tenantId: null,
    events: batch.events,
    eventBytes: batch.eventBytes,
    rejections: {},
    droppedProperties: batch.droppedProperties,
  });
  return c.json(result, 202);
});

export default {
  fetch: app.fetch,
  // Acks without work: the enqueue stage pays for the queue transport, not for D1.
  queue: async (batch: MessageBatch<unknown>) => batch.ackAll(),
} satisfies ExportedHandler<Env>;
