import { Hono } from "hono";
import { bodyLimitsOf, readJsonBody } from "../../../src/http/read-body";
import { type IngestContext, ingest } from "../../../src/ingest/core";
import { ingestLimitsOf } from "../../../src/ingest/limits";

/**
 * `POST /v1/events?stage=read|parse|validate|enqueue`: the collector's ingest path stopped
 * after the named stage (each includes the ones before it), through the ingest core's public
 * API only. `validate` runs the core with a queue that drops what it is given; `enqueue` with
 * the real one. No rate limiter: the bench's `ratelimit` scenario measures it on its own.
 */
const app = new Hono<{ Bindings: Env }>();

const unlimited: IngestContext["limiter"] = {
  admitEvents: async () => {},
  chargeBody: async () => {},
  chargeTenant: async () => {},
  recordAuthFailure: async () => {},
};

/** A queue that accepts and forgets: the validate stage pays for everything but the transport. */
const nowhere = {
  send: async () => {},
  sendBatch: async () => {},
  metrics: async () => ({ backlogCount: 0, backlogBytes: 0 }),
} as unknown as Queue;

app.get("/healthz", (c) => c.json({ ok: true }));

app.post("/v1/events", async (c) => {
  const stage = c.req.query("stage") ?? "enqueue";
  if (stage === "read") {
    const bytes = await c.req.arrayBuffer();
    return c.json({ accepted: 0, bytes: bytes.byteLength }, 202);
  }
  const receivedAt = Date.now();
  const body = (await readJsonBody(c.req.raw, bodyLimitsOf(c.env))) as { app: string; events: unknown[] };
  if (stage === "parse") return c.json({ accepted: 0 }, 202);
  const result = await ingest(
    { app: body.app, events: body.events },
    {
      receivedAt,
      tenantId: null,
      country: null,
      limiter: unlimited,
      queue: stage === "validate" ? nowhere : c.env.EVENTS_QUEUE,
      limits: ingestLimitsOf(c.env),
      waitUntil: (promise) => c.executionCtx.waitUntil(promise),
    },
  );
  return c.json(result, 202);
});

export default {
  fetch: app.fetch,
  // Acks without work: the enqueue stage pays for the queue transport, not for D1.
  queue: async (batch: MessageBatch<unknown>) => batch.ackAll(),
} satisfies ExportedHandler<Env>;
