import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { app } from "../../src/app";
import type { QueuedBatch } from "../../src/ingest/queue-message";
import { rateLimitMetrics } from "../../src/ratelimit/metrics";
import { eventsBody, failingNamespace, randomIp } from "./helpers";

/** The real Queue, with a record of what was sent through it. */
function recordingQueue(): { queue: Queue<QueuedBatch>; sentEvents: () => number } {
  let events = 0;
  const real = env.EVENTS_QUEUE;
  const queue: Queue<QueuedBatch> = {
    send: (body, options) => {
      events += body.events.length;
      return real.send(body, options);
    },
    sendBatch: (messages, options) => {
      for (const message of messages) events += message.body.events.length;
      return real.sendBatch(messages, options);
    },
    metrics: () => real.metrics(),
  };
  return { queue, sentEvents: () => events };
}

async function post(body: string, ip: string, bindings: Env): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await app.fetch(
    new Request("http://edgehog.test/v1/events", {
      method: "POST",
      headers: { "content-type": "application/json", "cf-connecting-ip": ip },
      body,
    }),
    bindings,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return res;
}

/** A namespace whose objects always fail, as an outage of the limiter would. */
describe("POST /v1/events with rate limiting", () => {
  it("answers 429 with Retry-After and enqueues nothing once an install is over its limit", async () => {
    const { queue, sentEvents } = recordingQueue();
    const bindings: Env = { ...env, EVENTS_QUEUE: queue };
    const ip = randomIp();
    const install = crypto.randomUUID();

    // The default install burst is 1,000 events: a full batch passes...
    const first = await post(eventsBody(install, 1000), ip, bindings);
    expect(first.status).toBe(202);
    expect(sentEvents()).toBe(1000);

    // ...and the next batch from the same install is refused whole.
    const second = await post(eventsBody(install, 10), ip, bindings);
    expect(second.status).toBe(429);
    const retryAfter = second.headers.get("retry-after");
    expect(retryAfter).toMatch(/^[1-9][0-9]*$/);
    expect(await second.json()).toMatchObject({ error: "rate_limited", limit: "install", message: expect.any(String) });
    expect(sentEvents()).toBe(1000);

    // Another install behind the same address is not affected.
    const other = await post(eventsBody(crypto.randomUUID(), 10), ip, bindings);
    expect(other.status).toBe(202);
    expect(sentEvents()).toBe(1010);
  });

  it("refuses a batch whole: an over-limit install in it costs the other installs nothing", async () => {
    const { queue, sentEvents } = recordingQueue();
    const bindings: Env = { ...env, EVENTS_QUEUE: queue };
    const ip = randomIp();
    const runaway = crypto.randomUUID();
    const bystander = crypto.randomUUID();
    expect((await post(eventsBody(runaway, 1000), ip, bindings)).status).toBe(202);

    const mixed = JSON.stringify({
      app: "teleport-connect",
      events: [...JSON.parse(eventsBody(bystander, 999)).events, ...JSON.parse(eventsBody(runaway, 1)).events],
    });
    const refused = await post(mixed, ip, bindings);
    expect(refused.status).toBe(429);
    expect(sentEvents()).toBe(1000);

    // The bystander's 999 events were not charged: its whole burst of 1,000 is still there.
    const bystanderBatch = await post(eventsBody(bystander, 1000), randomIp(), bindings);
    expect(bystanderBatch.status).toBe(202);
    expect(sentEvents()).toBe(2000);
  });

  it("fails open, and counts it, when the limiter objects throw", async () => {
    const { queue, sentEvents } = recordingQueue();
    const bindings: Env = {
      ...env,
      EVENTS_QUEUE: queue,
      RATE_LIMITER: failingNamespace(() => Promise.reject(new Error("object exploded"))),
    };
    const before = rateLimitMetrics.failOpen;
    const res = await post(eventsBody(crypto.randomUUID(), 5), randomIp(), bindings);
    expect(res.status).toBe(202);
    expect(sentEvents()).toBe(5);
    // The request's own charge and the batch's admission each failed open.
    expect(rateLimitMetrics.failOpen).toBe(before + 2);
  });

  it("fails open, and counts it, when the limiter objects do not answer in time", async () => {
    const { queue, sentEvents } = recordingQueue();
    const bindings: Env = {
      ...env,
      EVENTS_QUEUE: queue,
      RATE_LIMIT_TIMEOUT_MS: "50",
      RATE_LIMITER: failingNamespace(() => new Promise<never>(() => {})),
    };
    const before = rateLimitMetrics.failOpen;
    const res = await post(eventsBody(crypto.randomUUID(), 5), randomIp(), bindings);
    expect(res.status).toBe(202);
    expect(sentEvents()).toBe(5);
    expect(rateLimitMetrics.failOpen).toBe(before + 2);
  });

  it("does not limit at all when RATE_LIMIT_ENABLED is false", async () => {
    const bindings: Env = {
      ...env,
      RATE_LIMIT_ENABLED: "false",
      RATE_LIMITER: failingNamespace(() => Promise.reject(new Error("must not be called"))),
    };
    const before = rateLimitMetrics.failOpen;
    const install = crypto.randomUUID();
    const ip = randomIp();
    for (let i = 0; i < 3; i++) expect((await post(eventsBody(install, 1000), ip, bindings)).status).toBe(202);
    expect(rateLimitMetrics.failOpen).toBe(before);
  });
});
