import { Hono } from "hono";
import { findApp } from "../../../src/catalog/compile";
import { judgeEach } from "../../../src/http/judge";
import { bodyLimitsOf, readJsonBody } from "../../../src/http/read-body";
import { type IngestContext, ingest } from "../../../src/ingest/core";
import { packMessages } from "../../../src/ingest/enqueue";
import { batchJudge, eventContextOf } from "../../../src/ingest/judge-event";
import { ingestLimitsOf } from "../../../src/ingest/limits";
import { batchMessageOf } from "../../../src/ingest/queue-message";

/**
 * `POST /v1/events?stage=read|parse|validate|enqueue`: the collector's ingest path stopped
 * after the named stage (each includes the ones before it), through the ingest core's public
 * API only. `validate` runs the core with a queue that drops what it is given; `enqueue` with
 * the real one. No rate limiter: the bench's `ratelimit` scenario measures it on its own.
 *
 * `POST /v1/events?stage=judge-loop&rounds=N` judges N parsed copies of the body's events and
 * answers the time per event: the event checker alone, in workerd, without HTTP around it.
 * workerd's clock only moves across I/O, so the loop is bracketed by two 1 ms timers.
 *
 * `POST /v1/events?stage=send-loop&version=1|2&rounds=N` judges the body once, packs it as the
 * ingest core does (version 2) or as version 1 carried the same events (objects), and times N
 * `sendBatch` calls of that message, each building its body afresh: what the Queue message
 * format costs a request, in ms per message, with its size as JSON.
 */
const app = new Hono<{ Bindings: Env }>();

const unlimited: IngestContext["limiter"] = {
  admitEvents: async () => {},
  chargeBody: async () => {},
  chargeTenant: async () => {},
  recordAuthFailure: async () => {},
  admitForget: async () => {},
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
  if (stage === "judge-loop") return c.json(await judgeLoop(body, Number(c.req.query("rounds") ?? 200), c.env));
  if (stage === "send-loop") {
    const version = c.req.query("version") === "1" ? 1 : 2;
    return c.json(await sendLoop(body, version, Number(c.req.query("rounds") ?? 200), c.env));
  }
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

/** The judge's context for the body's app, as a request without sent_at or tenant has it. */
function eventContextFor(appName: string, env: Env) {
  const app = findApp(appName);
  if (!app) throw new Error(`unknown app ${appName}`);
  return eventContextOf(app, ingestLimitsOf(env), { receivedAt: Date.now(), sentAt: undefined, tenantId: null });
}

async function judgeLoop(body: { app: string; events: unknown[] }, rounds: number, env: Env) {
  const context = eventContextFor(body.app, env);
  // Each round judges its own parsed copy, as each request does: strings the checks have
  // already seen (hashed, or optimised) would flatter them.
  const text = JSON.stringify(body.events);
  const copies = Array.from({ length: rounds }, () => JSON.parse(text) as unknown[]);
  await scheduler.wait(1);
  const started = Date.now();
  let accepted = 0;
  for (const events of copies) accepted += judgeEach(events, "uuid", batchJudge(context)).accepted.length;
  await scheduler.wait(1);
  const ms = Math.max(0, Date.now() - started - 1);
  return {
    events: rounds * body.events.length,
    accepted,
    ms,
    us_per_event: (ms * 1000) / (rounds * body.events.length),
  };
}

async function sendLoop(body: { app: string; events: unknown[] }, version: 1 | 2, rounds: number, env: Env) {
  const context = eventContextFor(body.app, env);
  const judged = judgeEach(body.events, "uuid", batchJudge(context));
  const batch = {
    app: context.app.name,
    receivedAt: Date.now(),
    country: null,
    tenantId: null,
    events: judged.accepted.map((accepted) => accepted.event),
    eventBytes: judged.accepted.map((accepted) => accepted.bytes),
    rejections: {},
    droppedProperties: {},
  };
  const message = () => {
    const [packed] = packMessages(batch);
    if (!packed) throw new Error("nothing to send");
    return version === 2 ? packed.body : batchMessageOf(packed.body);
  };
  const started = Date.now();
  // Sent as the ingest core sends it: a value (src/ingest/enqueue.ts).
  for (let i = 0; i < rounds; i++) await env.EVENTS_QUEUE.sendBatch([{ body: message(), contentType: "v8" }]);
  const ms = Date.now() - started;
  return { version, rounds, ms_per_message: ms / rounds, bytes: JSON.stringify(message()).length };
}

export default {
  fetch: app.fetch,
  // Acks without work: the enqueue stage pays for the queue transport, not for D1.
  queue: async (batch: MessageBatch<unknown>) => batch.ackAll(),
} satisfies ExportedHandler<Env>;
