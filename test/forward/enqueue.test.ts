import { createExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { app } from "../../src/app";
import { enqueueForward } from "../../src/forward/enqueue";
import type { ForwardMessage } from "../../src/forward/message";
import { MAX_MESSAGE_BYTES, MAX_SEND_BATCH_BYTES, MAX_SEND_BATCH_MESSAGES } from "../../src/lib/queue-send";
import { batch, protocolUse } from "../helpers/events";
import { posthogJsEvent, recordingQueue, send } from "../posthog/helpers";
import { FORWARDING, forwardCounts, recordingForwardQueue } from "./helpers";

/**
 * The producer side of forwarding: accepted events go to the forward queue only once the
 * events queue has them, and nothing the forward queue does (refuse, throw, hang) ever fails
 * or holds back the answer to the client.
 */

const batchBody = (events: unknown[], token = "teleport-connect") => JSON.stringify({ api_key: token, batch: events });

describe("after the events queue accepted a batch", () => {
  it("sends nothing to forward while forwarding is off (the default)", async () => {
    const forward = recordingForwardQueue();
    const answer = await send("/batch/", { body: batchBody([posthogJsEvent()]) }, { FORWARD_QUEUE: forward.queue });
    expect(answer.body.accepted).toBe(1);
    expect(forward.messages).toEqual([]);
  });

  it("forwards exactly the accepted events, as stored: not the rejected ones, not a repeat", async () => {
    const forward = recordingForwardQueue();
    const good = [posthogJsEvent(), posthogJsEvent({ event: "connect.accessRequest.review" })];
    const rejected = posthogJsEvent({}, { cluster_name: "prod.example.com" });
    const answer = await send(
      "/batch/",
      { body: batchBody([good[0], rejected, good[1], good[0]]) },
      { ...FORWARDING, FORWARD_QUEUE: forward.queue },
    );
    expect(answer.body).toMatchObject({ accepted: 2, duplicates: 1, rejected: [{ index: 1 }] });
    const forwarded = forward.messages.flatMap((message) => message.events);
    expect(forward.messages.every((message) => message.app === "teleport-connect")).toBe(true);
    expect(forwarded).toEqual(
      answer.stored.map(({ uuid, event, distinct_id, timestamp, properties }) => ({
        uuid,
        event,
        distinct_id,
        timestamp,
        properties,
      })),
    );
  });

  it("forwards the events of every front door, and only the apps that have a key", async () => {
    const forward = recordingForwardQueue();
    const bindings = {
      POSTHOG_HOST: "https://posthog.example",
      POSTHOG_API_KEY: JSON.stringify({ "teleport-cluster": "phc_cluster" }),
      FORWARD_QUEUE: forward.queue,
    };
    expect((await send("/batch/", { body: batchBody([posthogJsEvent()]) }, bindings)).body.accepted).toBe(1);
    expect(forward.messages).toEqual([]);

    const forwardAll = recordingForwardQueue();
    const native = await send(
      "/v1/events",
      {
        headers: { "content-type": "application/json" },
        body: JSON.stringify(batch([protocolUse({ properties: { protocol: "db" } })])),
      },
      { ...FORWARDING, FORWARD_QUEUE: forwardAll.queue },
    );
    expect(native.status).toBe(202);
    expect(forwardAll.messages.flatMap((m) => m.events).map((e) => e.uuid)).toEqual(native.stored.map((e) => e.uuid));
  });

  it("sends nothing to forward when the events queue refused the batch (503)", async () => {
    const forward = recordingForwardQueue();
    const failing = {
      sendBatch: async () => {
        throw new Error("Queue unavailable");
      },
    } as unknown as Queue;
    const answer = await send(
      "/batch/",
      { body: batchBody([posthogJsEvent()]) },
      { ...FORWARDING, EVENTS_QUEUE: failing, FORWARD_QUEUE: forward.queue },
    );
    expect(answer.status).toBe(503);
    expect(forward.messages).toEqual([]);
  });

  it("answers without waiting for a forward queue that never answers", async () => {
    let sendsStarted = 0;
    const hanging = {
      sendBatch: () => {
        sendsStarted++;
        return new Promise<void>(() => {}); // never settles
      },
    } as unknown as Queue;
    const events = recordingQueue();
    // The response is awaited, the work left in waitUntil is not: if the answer waited for the
    // forward queue, this await would never return and the test would time out.
    const res = await app.fetch(
      new Request("http://edgehog.test/batch/", { method: "POST", body: batchBody([posthogJsEvent()]) }),
      { ...env, ...FORWARDING, EVENTS_QUEUE: events.queue, FORWARD_QUEUE: hanging },
      createExecutionContext(),
    );
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({ status: 1, accepted: 1 });
    expect(events.stored()).toHaveLength(1);
    expect(sendsStarted).toBe(1); // forwarding was under way, still pending, when the answer came
  });

  it("answers 200 when the forward queue fails or forwarding is misconfigured, and counts what was not queued", async () => {
    const rejecting = {
      sendBatch: async () => {
        throw new Error("forward queue unavailable");
      },
    } as unknown as Queue;
    const throwing = {
      sendBatch: () => {
        throw new Error("thrown synchronously");
      },
    } as unknown as Queue;
    const cases: Partial<Env>[] = [
      { ...FORWARDING, FORWARD_QUEUE: rejecting },
      { ...FORWARDING, FORWARD_QUEUE: throwing },
      { ...FORWARDING, FORWARD_QUEUE: undefined as unknown as Queue },
      { POSTHOG_HOST: "ftp://posthog.example", POSTHOG_API_KEY: "phc_test_key" },
      { POSTHOG_HOST: "https://posthog.example", POSTHOG_API_KEY: "phx_personal_key" },
    ];
    for (const bindings of cases) {
      const before = (await forwardCounts()).not_queued;
      const answer = await send("/batch/", { body: batchBody([posthogJsEvent(), posthogJsEvent()]) }, bindings);
      expect(answer.status).toBe(200);
      expect(answer.body.accepted).toBe(2);
      expect(answer.stored).toHaveLength(2);
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
});
