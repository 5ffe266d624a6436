import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { MAX_EVENTS_PER_POST } from "../../src/forward/consumer";
import type { ForwardedEvent, ForwardMessage } from "../../src/forward/message";
import { FORWARD_CONTROL_PROPERTIES } from "../../src/forward/upstream";
import { randomDigest } from "../helpers/events";
import { operatorCall, operatorGet } from "../helpers/harness";
import { deliver, recordingQueue } from "../helpers/queue";
import { deliverForward, fakeUpstream, forwardCounts } from "./helpers";

/**
 * The forward consumer: what reaches the upstream PostHog is exactly the accepted events,
 * anonymized, once each; an outage delays them (growing delays) but loses none; what the
 * upstream refuses for good is parked for a re-drive.
 */

function forwardedEvent(overrides: Partial<ForwardedEvent> = {}): ForwardedEvent {
  return {
    uuid: crypto.randomUUID(),
    event: "connect.protocol.use",
    distinct_id: crypto.randomUUID(),
    timestamp: Date.parse("2026-11-20T10:00:00Z"),
    properties: { cluster_name: randomDigest(), user_name: randomDigest(), protocol: "ssh", os: "darwin" },
    ...overrides,
  };
}

const message = (events: ForwardedEvent[], app = "teleport-connect"): ForwardMessage => ({ v: 1, app, events });

async function admin(path: string, body?: unknown, bindings: Partial<Env> = {}) {
  return (await operatorCall(body === undefined ? "GET" : "POST", path, body, { bindings })).body;
}

describe("the forward consumer", () => {
  it("posts gzip to <host>/batch/ with the project key: the stored events, their digests, no address", async () => {
    const events = [forwardedEvent(), forwardedEvent({ event: "connect.accessRequest.review" })];
    const upstream = fakeUpstream();
    const result = await deliverForward([message(events)], upstream.fetcher);
    expect(result.acked).toEqual(result.ids);
    expect(upstream.posts).toHaveLength(1);
    const [post] = upstream.posts;
    expect(post?.url).toBe("https://posthog.example/batch/");
    expect(post?.headers.get("content-encoding")).toBe("gzip");
    expect(post?.body.api_key).toBe("phc_test_key");
    expect(post?.body.batch).toEqual(
      events.map((event) => ({
        uuid: event.uuid,
        event: event.event,
        distinct_id: event.distinct_id,
        timestamp: new Date(event.timestamp).toISOString(),
        properties: { ...event.properties, $lib: "edgehog", $geoip_disable: true, $ip: null },
      })),
    );
    expect(FORWARD_CONTROL_PROPERTIES.$ip).toBeNull();
  });

  it("forwards each event once: a redelivery or a client's retry posts nothing again", async () => {
    const events = [forwardedEvent(), forwardedEvent()];
    const upstream = fakeUpstream();
    const before = await forwardCounts();
    await deliverForward([message(events)], upstream.fetcher);
    // The same events again (the client resent its batch), together with one new event.
    const fresh = forwardedEvent();
    await deliverForward([message(events), message([events[0] as ForwardedEvent, fresh])], upstream.fetcher);
    expect(upstream.acceptedUuids()).toEqual([...events.map((e) => e.uuid), fresh.uuid]);
    const after = await forwardCounts();
    expect(after.forwarded - before.forwarded).toBe(3);
    expect(after.duplicates - before.duplicates).toBe(3);
  });

  it("retries an upstream outage with growing delays (at least its Retry-After) and loses nothing", async () => {
    const events = [forwardedEvent()];
    const ids = ["fwd-outage"];
    const outage = fakeUpstream((n) =>
      n === 0
        ? 503
        : n === 1
          ? new Error("connection refused")
          : n === 2
            ? 429
            : n === 3
              ? new Response(null, { status: 502, headers: { "retry-after": "600" } })
              : 200,
    );
    const delays: (number | undefined)[] = [];
    for (let attempts = 1; attempts <= 4; attempts++) {
      const result = await deliverForward([message(events)], outage.fetcher, { attempts, ids });
      expect(result.acked).toEqual([]);
      expect(result.retried).toEqual(ids);
      delays.push(result.retryDelays["fwd-outage"]);
    }
    expect(delays).toEqual([10, 20, 40, 600]);
    expect(outage.acceptedUuids()).toEqual([]);
    const back = await deliverForward([message(events)], outage.fetcher, { attempts: 5, ids });
    expect(back.acked).toEqual(ids);
    expect(outage.acceptedUuids()).toEqual([events[0]?.uuid]);
  });

  it("after a partial failure, posts only what the upstream did not take", async () => {
    const events = Array.from({ length: MAX_EVENTS_PER_POST + 100 }, () => forwardedEvent());
    const upstream = fakeUpstream((n) => (n === 1 ? 503 : 200));
    const first = await deliverForward([message(events)], upstream.fetcher);
    expect(first.retried).toEqual(first.ids);
    expect(upstream.accepted.map((p) => p.body.batch.length)).toEqual([MAX_EVENTS_PER_POST]);
    await deliverForward([message(events)], upstream.fetcher, { attempts: 2, ids: first.ids });
    expect(upstream.posts.map((p) => p.body.batch.length)).toEqual([MAX_EVENTS_PER_POST, 100, 100]);
    expect(upstream.acceptedUuids().sort()).toEqual(events.map((e) => e.uuid).sort());
  });

  it("delivers every event exactly once whatever the redeliveries, overlaps and transient failures", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 30 }),
        fc.array(fc.array(fc.nat(29), { minLength: 1, maxLength: 8 }), { minLength: 1, maxLength: 6 }),
        fc.array(fc.boolean(), { minLength: 1, maxLength: 20 }),
        async (poolSize, picks, failures) => {
          const pool = Array.from({ length: poolSize }, () => forwardedEvent());
          const messages = picks.map((pick) =>
            message([...new Set(pick.map((i) => i % poolSize))].map((i) => pool[i] as ForwardedEvent)),
          );
          // Each post fails or not as drawn, until the outage is over.
          const upstream = fakeUpstream((n) => (failures[n] ? 503 : 200));
          let pending = messages.map((body, i) => ({ body, id: `m${i}-${crypto.randomUUID()}`, attempts: 1 }));
          for (let round = 0; pending.length > 0 && round < 50; round++) {
            const result = await deliverForward(
              pending.map((p) => p.body),
              upstream.fetcher,
              { ids: pending.map((p) => p.id), attempts: round + 1 },
            );
            pending = pending.filter((p) => !result.acked.includes(p.id));
          }
          expect(pending).toEqual([]);
          const delivered = new Set(messages.flatMap((m) => m.events.map((e) => e.uuid)));
          expect(upstream.acceptedUuids().sort()).toEqual([...delivered].sort());
        },
      ),
      { seed: 21, numRuns: 25 },
    );
  });

  it("parks what the upstream refuses for good, counts it, and re-drives it to the forward queue", async () => {
    const events = [forwardedEvent()];
    const upstream = fakeUpstream(() => 401);
    const before = await forwardCounts();
    const result = await deliverForward([message(events)], upstream.fetcher);
    expect(result.acked).toEqual(result.ids); // parked in D1, so acknowledged
    const parked = await env.DB.prepare("SELECT queue, body FROM parked_messages WHERE id = ?1")
      .bind(result.ids[0])
      .first<{ queue: string; body: string }>();
    expect(parked?.queue).toBe("edgehog-forward");
    expect(JSON.parse(parked?.body ?? "{}")).toEqual(message(events));
    const after = await forwardCounts();
    expect(after.failed_posts - before.failed_posts).toBe(1);

    const health = await admin("/v1/stats/health");
    expect(health.dead_letters).toMatchObject({
      queues: expect.arrayContaining([expect.objectContaining({ queue: "edgehog-forward" })]),
    });
    expect(health.forwarding).toMatchObject({
      enabled: false,
      apps: [expect.objectContaining({ app: "teleport-connect", last_failure: "HTTP 401" })],
    });

    const forward = recordingQueue<ForwardMessage>();
    const redrive = await admin(
      "/v1/admin/dead-letters/redrive",
      { queue: "edgehog-forward" },
      { FORWARD_QUEUE: forward.queue },
    );
    expect(redrive).toMatchObject({ queue: "edgehog-forward", still_parked: 0 });
    expect(forward.bodies).toContainEqual(message(events));
  });

  it("parks at once a malformed message, an app no longer forwarded, and the dead letters of the forward queue", async () => {
    const upstream = fakeUpstream();
    const malformed = await deliverForward([{ v: 1, app: "teleport-connect", events: "nope" }], upstream.fetcher);
    const off = await deliverForward([message([forwardedEvent()])], upstream.fetcher, {
      bindings: { POSTHOG_HOST: "" },
    });
    const otherApp = await deliverForward([message([forwardedEvent()], "teleport-cluster")], upstream.fetcher, {
      bindings: { POSTHOG_API_KEY: JSON.stringify({ "teleport-connect": "phc_connect" }) },
    });
    const dead = await deliver([message([forwardedEvent()])], env, { queue: "edgehog-forward-dlq" });
    expect(upstream.posts).toEqual([]);
    for (const id of [...malformed.ids, ...off.ids, ...otherApp.ids, ...dead.ids]) {
      const row = await env.DB.prepare("SELECT queue FROM parked_messages WHERE id = ?1")
        .bind(id)
        .first<{ queue: string }>();
      expect(row?.queue, id).toBe("edgehog-forward");
    }
  });

  it("is published in the health page when it is on, without the key", async () => {
    const health = await operatorGet<{ forwarding: unknown }>("/v1/stats/health");
    expect(health.forwarding).toMatchObject({ enabled: false });
    const on = await admin("/v1/stats/health", undefined, {
      POSTHOG_HOST: "https://eu.i.posthog.com/",
      POSTHOG_API_KEY: "phc_secret",
    });
    expect(on.forwarding).toMatchObject({ enabled: true, upstream: "https://eu.i.posthog.com" });
    expect(JSON.stringify(on)).not.toContain("phc_secret");
  });
});
