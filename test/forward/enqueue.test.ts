import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { app } from "../../src/app";
import { enqueueForward } from "../../src/forward/enqueue";
import type { ForwardMessage } from "../../src/forward/message";
import { MAX_MESSAGE_BYTES, MAX_SEND_BATCH_BYTES, MAX_SEND_BATCH_MESSAGES } from "../../src/lib/queue-send";
import { batch, protocolUse } from "../helpers/events";
import {
  aggregatesSnapshot,
  batchMessage,
  dedupeKeysOf,
  recordingEventsQueue,
  recordingQueue,
  storedEvent,
} from "../helpers/queue";
import { posthogJsEvent, send } from "../posthog/helpers";
import { FORWARDING, forwardCounts, storeForwarding } from "./helpers";

/**
 * The producer side of forwarding: the forward queue is fed by the events consumer with what
 * it stored, never by the request. A request's answer owes nothing to forwarding; a forward
 * queue that refuses makes the consumer retry the delivery, and no stored event is lost to it.
 */

const batchBody = (events: unknown[], token = "teleport-connect") => JSON.stringify({ api_key: token, batch: events });

/** A request through the Worker, its events queue recording the messages it was sent. */
async function ingestRecorded(path: string, body: string, bindings: Partial<Env> = {}) {
  const answer = await send(path, { body, headers: { "content-type": "application/json" } }, bindings);
  return { answer, messages: answer.messages, stored: answer.stored };
}

/** A forward queue that fails whatever sends to it. */
const untouchable = recordingQueue({ fail: "throw" }).queue;

describe("forwarding is fed by the events consumer", () => {
  it("a request never touches the forward queue, even with forwarding on: its answer owes nothing to it", async () => {
    const hanging = recordingQueue({ fail: "hang" }); // a send would never settle
    const events = recordingEventsQueue();
    const res = await app.fetch(
      new Request("http://edgehog.test/batch/", { method: "POST", body: batchBody([posthogJsEvent()]) }),
      { ...env, ...FORWARDING, EVENTS_QUEUE: events.queue, FORWARD_QUEUE: hanging.queue },
      createExecutionContext(),
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 1, accepted: 1 });
    expect(events.bodies).toHaveLength(1);
    expect(hanging.bodies).toHaveLength(0);
  });

  it("sends nothing to forward while forwarding is off (the default), and costs the consumer no queue call", async () => {
    const { messages } = await ingestRecorded("/batch/", batchBody([posthogJsEvent()]));
    const stored = await storeForwarding(messages, { POSTHOG_HOST: "", FORWARD_QUEUE: untouchable });
    expect(stored.acked).toEqual(stored.ids);
    expect(stored.forwarded).toEqual([]);
  });

  it("forwards exactly what the consumer stored: never a refused event, a repeat forwarded once", async () => {
    const good = [posthogJsEvent(), posthogJsEvent({ event: "connect.accessRequest.review" })];
    const refused = posthogJsEvent({}, { cluster_name: "prod.example.com" });
    const {
      answer,
      messages,
      stored: ingested,
    } = await ingestRecorded("/batch/", batchBody([good[0], refused, good[1], good[0]]), FORWARDING);
    expect(answer.body).toMatchObject({ accepted: 2, duplicates: 1, rejected: [{ index: 1 }] });
    const stored = await storeForwarding(messages);
    expect(stored.acked).toEqual(stored.ids);
    expect(stored.messages.every((message) => message.app === "teleport-connect")).toBe(true);
    expect(stored.forwarded).toEqual(
      ingested.map(({ uuid, event, distinct_id, timestamp, properties }) => ({
        uuid,
        event,
        distinct_id,
        timestamp,
        properties,
      })),
    );
    expect(JSON.stringify(stored.messages)).not.toContain("prod.example.com");
  });

  it("forwards the events of every front door, and only the apps that have a key", async () => {
    const onlyCluster = {
      POSTHOG_HOST: "https://posthog.example",
      POSTHOG_API_KEY: JSON.stringify({ "teleport-cluster": "phc_cluster" }),
    };
    const posthog = await ingestRecorded("/batch/", batchBody([posthogJsEvent()]));
    expect((await storeForwarding(posthog.messages, onlyCluster)).forwarded).toEqual([]);

    const native = await ingestRecorded(
      "/v1/events",
      JSON.stringify(batch([protocolUse({ properties: { protocol: "db" } })])),
    );
    const stored = await storeForwarding(native.messages);
    expect(stored.forwarded.map((e) => e.uuid)).toEqual(native.stored.map((e) => e.uuid));
  });

  it("retries the delivery when the forward queue refuses: stored once, forwarded once it takes them", async () => {
    const message = batchMessage([storedEvent(), storedEvent()]);
    const refusing = recordingQueue({ fail: "throw" }).queue;
    const failed = await storeForwarding([message], { FORWARD_QUEUE: refusing });
    expect(failed.acked).toEqual([]);
    expect(failed.retried).toEqual(failed.ids);
    // Stored already (the transaction committed); storing again adds nothing.
    const before = await aggregatesSnapshot(env.DB);
    const again = await storeForwarding([message], {}, 2);
    expect(again.acked).toEqual(again.ids);
    expect(again.forwarded.map((e) => e.uuid)).toEqual(message.events.map((e) => e.uuid));
    expect(await aggregatesSnapshot(env.DB)).toEqual(before);
    for (const event of message.events) expect(await dedupeKeysOf(event.uuid)).toBe(1);
  });

  it("stores and acknowledges when forwarding is misconfigured, and counts what was not queued", async () => {
    for (const bindings of [
      { POSTHOG_HOST: "ftp://posthog.example", POSTHOG_API_KEY: "phc_test_key" },
      { POSTHOG_HOST: "https://posthog.example", POSTHOG_API_KEY: "phx_personal_key" },
    ]) {
      const message = batchMessage([storedEvent(), storedEvent()]);
      const before = (await forwardCounts()).not_queued;
      const stored = await storeForwarding([message], { ...bindings, FORWARD_QUEUE: untouchable });
      expect(stored.acked).toEqual(stored.ids);
      expect(await dedupeKeysOf(message.events[0]?.uuid ?? "")).toBe(1);
      expect((await forwardCounts()).not_queued - before).toBe(2);
    }
  });

  it("packs any batch into messages and sendBatch calls within the Queues limits, losing none", async () => {
    await fc.assert(
      fc.asyncProperty(fc.array(fc.nat(8000), { minLength: 1, maxLength: 1000 }), async (lengths) => {
        const sent: ForwardMessage[][] = [];
        const queue = {
          sendBatch: async (batch: Iterable<MessageSendRequest<ForwardMessage>>) => {
            sent.push([...batch].map((m) => m.body));
          },
        } as unknown as Queue<ForwardMessage>;
        const events = lengths.map((length, i) => ({
          uuid: crypto.randomUUID(),
          event: "connect.user.job_role",
          distinct_id: crypto.randomUUID(),
          timestamp: i,
          properties: { job_role: "x".repeat(length) },
        }));
        const eventBytes = events.map((event) => JSON.stringify(event).length);
        await enqueueForward(queue, { app: "teleport-connect", events, eventBytes });
        expect(sent.flat().flatMap((m) => m.events)).toEqual(events);
        for (const call of sent) {
          expect(call.length).toBeLessThanOrEqual(MAX_SEND_BATCH_MESSAGES);
          expect(call.reduce((n, m) => n + JSON.stringify(m).length, 0)).toBeLessThanOrEqual(MAX_SEND_BATCH_BYTES);
          for (const message of call) expect(JSON.stringify(message).length).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
        }
      }),
      { seed: 5, numRuns: 20 },
    );
  });

  it("packs what the consumer forwards within the Queues limits too", async () => {
    // 300 events of ~2 KB: more than one message's worth.
    const long = "y".repeat(2000);
    const events = Array.from({ length: 300 }, () =>
      storedEvent({ event: "connect.user.job_role", properties: { job_role: long } }),
    );
    const stored = await storeForwarding([batchMessage(events)]);
    expect(stored.forwarded.map((e) => e.uuid)).toEqual(events.map((e) => e.uuid));
    expect(stored.messages.length).toBeGreaterThan(1);
    for (const message of stored.messages)
      expect(JSON.stringify(message).length).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
  });
});
