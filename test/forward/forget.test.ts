import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { ForwardMessage } from "../../src/forward/message";
import { type QueuedBatch, storedEventsOf } from "../../src/ingest/queue-message";
import { batch, protocolUse } from "../helpers/events";
import { forget, operator, post } from "../helpers/harness";
import { batchMessage, deliver, recordingEventsQueue, recordingQueue, storedEvent } from "../helpers/queue";
import { deliverForward, FORWARDING, fakeUpstream, forwardCounts, storeForwarding } from "./helpers";

/**
 * A forget holds to the last hop: nothing of a forgotten install reaches the upstream PostHog,
 * whether its events were still on the events queue, sent again after the forget, waiting on
 * the forward queue through an upstream outage, or parked in the dead letters and re-driven.
 */

/** A POST with forwarding on (the operator's token on operator routes), waiting for its background work. */
function request(path: string, body: unknown, bindings: Partial<Env> = {}) {
  const headers = path.startsWith("/v1/admin/") ? operator() : {};
  return post(path, body, { headers, bindings: { ...FORWARDING, ...bindings } });
}

const forgetInstall = async (distinctId: string) =>
  expect((await forget(distinctId, { bindings: FORWARDING })).status).toBe(200);

/** Two installs' events, sent through /v1/events: the queue messages the requests made. */
async function sendEvents(installs: string[], events: Record<string, unknown>[][] = []) {
  const queue = recordingEventsQueue();
  for (const [i, install] of installs.entries()) {
    const sent = events[i] ?? [protocolUse({ distinct_id: install }), protocolUse({ distinct_id: install })];
    const res = await request("/v1/events", batch(sent), { EVENTS_QUEUE: queue.queue });
    expect(res.status).toBe(202);
  }
  return queue.bodies;
}

const uuidsOf = (messages: unknown[], install: string) =>
  messages
    .flatMap((m) => storedEventsOf(m as QueuedBatch))
    .filter((e) => e.distinct_id === install)
    .map((e) => e.uuid);

describe("a forget and forwarding", () => {
  it("forget, then the client sends its batch again: nothing of the install arrives upstream", async () => {
    const [forgotten, other] = [crypto.randomUUID(), crypto.randomUUID()];
    const events = [protocolUse({ distinct_id: forgotten }), protocolUse({ distinct_id: forgotten })];
    // Accepted (202) and still on the events queue when the forget comes…
    const queued = await sendEvents([forgotten, other], [events]);
    await forgetInstall(forgotten);
    // …and sent again after it (the client's answer was lost), with a new event too.
    const resent = await sendEvents([forgotten], [[...events, protocolUse({ distinct_id: forgotten })]]);
    const stored = await storeForwarding([...queued, ...resent]);
    expect(stored.acked).toEqual(stored.ids);
    // The consumer forwards only what it stored; the forwarder would drop them all the same.
    expect(stored.forwarded.map((e) => e.uuid).sort()).toEqual(uuidsOf(queued, other).sort());
    const upstream = fakeUpstream();
    await deliverForward(stored.messages, upstream.fetcher);
    expect(upstream.acceptedUuids().sort()).toEqual(uuidsOf(queued, other).sort());
    expect(JSON.stringify(upstream.posts)).not.toContain(forgotten);
  });

  it("forget during an upstream outage: the install's queued events never leave, the others do", async () => {
    const [forgotten, other] = [crypto.randomUUID(), crypto.randomUUID()];
    const stored = await storeForwarding(await sendEvents([forgotten, other]));
    expect(stored.forwarded).toHaveLength(4); // both installs' events are on the forward queue
    const outage = fakeUpstream((n) => (n === 0 ? 503 : 200));
    const ids = stored.messages.map((_, i) => `fwd-outage-${i}-${crypto.randomUUID()}`);
    const down = await deliverForward(stored.messages, outage.fetcher, { ids });
    expect(down.retried).toEqual(ids);
    await forgetInstall(forgotten);
    const before = await forwardCounts();
    const back = await deliverForward(stored.messages, outage.fetcher, { ids, attempts: 2 });
    expect(back.acked).toEqual(ids);
    const otherUuids = stored.forwarded.filter((e) => e.distinct_id === other).map((e) => e.uuid);
    expect(outage.acceptedUuids().sort()).toEqual(otherUuids.sort());
    expect(JSON.stringify(outage.posts.slice(1))).not.toContain(forgotten); // none after the forget
    expect((await forwardCounts()).forgotten - before.forgotten).toBe(2);
  });

  it("forward messages parked before the forget go back without the install, or not at all", async () => {
    const [forgotten, other] = [crypto.randomUUID(), crypto.randomUUID()];
    const event = (install: string) => ({ ...storedEvent({ distinct_id: install }), client_timestamp: undefined });
    const strip = ({ uuid, event: name, distinct_id, timestamp, properties }: ReturnType<typeof event>) => ({
      uuid,
      event: name,
      distinct_id,
      timestamp,
      properties,
    });
    const mixed: ForwardMessage = {
      v: 1,
      app: "teleport-connect",
      events: [event(forgotten), event(other)].map(strip),
    };
    const onlyForgotten: ForwardMessage = { v: 1, app: "teleport-connect", events: [strip(event(forgotten))] };
    await deliver([mixed, onlyForgotten], env, { queue: "edgehog-forward-dlq" });
    await forgetInstall(forgotten);
    const forward = recordingQueue<ForwardMessage>();
    const res = await request(
      "/v1/admin/dead-letters/redrive",
      { queue: "edgehog-forward" },
      { FORWARD_QUEUE: forward.queue },
    );
    expect(await res.json()).toMatchObject({ redriven: 2, still_parked: 0 });
    expect(forward.bodies).toEqual([{ ...mixed, events: [mixed.events[1]] }]);
  });

  it("events messages parked before the forget go back without the install, their counters kept", async () => {
    const [forgotten, other] = [crypto.randomUUID(), crypto.randomUUID()];
    const message = batchMessage([storedEvent({ distinct_id: forgotten }), storedEvent({ distinct_id: other })], {
      rejections: { invalid_property: 2 },
    });
    await deliver([message], env, { queue: "edgehog-events-dlq" });
    await forgetInstall(forgotten);
    const events = recordingEventsQueue();
    const res = await request(
      "/v1/admin/dead-letters/redrive",
      { queue: "edgehog-events" },
      { EVENTS_QUEUE: events.queue },
    );
    expect(await res.json()).toMatchObject({ redriven: 1, still_parked: 0 });
    expect(events.bodies).toEqual([{ ...message, events: [message.events[1]] }]);
  });
});
