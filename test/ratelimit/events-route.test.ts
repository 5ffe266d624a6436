import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { rateLimitMetrics } from "../../src/ratelimit/metrics";
import { eventsBody } from "../helpers/events";
import { postEvents, randomIp } from "../helpers/harness";
import { recordingEventsQueue } from "../helpers/queue";
import { failingNamespace } from "./helpers";

/** A namespace whose objects always fail, as an outage of the limiter would. */
describe("POST /v1/events with rate limiting", () => {
  it("answers 429 with Retry-After and enqueues nothing once an install is over its limit", async () => {
    const { queue, events } = recordingEventsQueue({ passTo: env.EVENTS_QUEUE });
    const bindings: Env = { ...env, EVENTS_QUEUE: queue };
    const ip = randomIp();
    const install = crypto.randomUUID();

    // The default install burst is 1,000 events: a full batch passes...
    const first = await postEvents(eventsBody(install, 1000), {}, { ip: ip, bindings });
    expect(first.status).toBe(202);
    expect(events.length).toBe(1000);

    // ...and the next batch from the same install is refused whole.
    const second = await postEvents(eventsBody(install, 10), {}, { ip: ip, bindings });
    expect(second.status).toBe(429);
    const retryAfter = second.headers.get("retry-after");
    expect(retryAfter).toMatch(/^[1-9][0-9]*$/);
    expect(await second.json()).toMatchObject({ error: "rate_limited", limit: "install", message: expect.any(String) });
    expect(events.length).toBe(1000);

    // Another install behind the same address is not affected.
    const other = await postEvents(eventsBody(crypto.randomUUID(), 10), {}, { ip: ip, bindings });
    expect(other.status).toBe(202);
    expect(events.length).toBe(1010);
  });

  it("refuses a batch whole: an over-limit install in it costs the other installs nothing", async () => {
    const { queue, events } = recordingEventsQueue({ passTo: env.EVENTS_QUEUE });
    const bindings: Env = { ...env, EVENTS_QUEUE: queue };
    const ip = randomIp();
    const runaway = crypto.randomUUID();
    const bystander = crypto.randomUUID();
    expect((await postEvents(eventsBody(runaway, 1000), {}, { ip: ip, bindings })).status).toBe(202);

    const mixed = JSON.stringify({
      app: "teleport-connect",
      events: [...JSON.parse(eventsBody(bystander, 999)).events, ...JSON.parse(eventsBody(runaway, 1)).events],
    });
    const refused = await postEvents(mixed, {}, { ip: ip, bindings });
    expect(refused.status).toBe(429);
    expect(events.length).toBe(1000);

    // The bystander's 999 events were not charged: its whole burst of 1,000 is still there.
    const bystanderBatch = await postEvents(eventsBody(bystander, 1000), {}, { ip: randomIp(), bindings });
    expect(bystanderBatch.status).toBe(202);
    expect(events.length).toBe(2000);
  });

  it("fails open, and counts it, when the limiter objects throw", async () => {
    const { queue, events } = recordingEventsQueue({ passTo: env.EVENTS_QUEUE });
    const bindings: Env = {
      ...env,
      EVENTS_QUEUE: queue,
      RATE_LIMITER: failingNamespace(() => Promise.reject(new Error("object exploded"))),
    };
    const before = rateLimitMetrics.failOpen;
    const res = await postEvents(eventsBody(crypto.randomUUID(), 5), {}, { ip: randomIp(), bindings });
    expect(res.status).toBe(202);
    expect(events.length).toBe(5);
    // The request's own charge and the batch's admission each failed open.
    expect(rateLimitMetrics.failOpen).toBe(before + 2);
  });

  it("fails open, and counts it, when the limiter objects do not answer in time", async () => {
    const { queue, events } = recordingEventsQueue({ passTo: env.EVENTS_QUEUE });
    const bindings: Env = {
      ...env,
      EVENTS_QUEUE: queue,
      RATE_LIMIT_TIMEOUT_MS: "50",
      RATE_LIMITER: failingNamespace(() => new Promise<never>(() => {})),
    };
    const before = rateLimitMetrics.failOpen;
    const res = await postEvents(eventsBody(crypto.randomUUID(), 5), {}, { ip: randomIp(), bindings });
    expect(res.status).toBe(202);
    expect(events.length).toBe(5);
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
    for (let i = 0; i < 3; i++)
      expect((await postEvents(eventsBody(install, 1000), {}, { ip: ip, bindings })).status).toBe(202);
    expect(rateLimitMetrics.failOpen).toBe(before);
  });
});
