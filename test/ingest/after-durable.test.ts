import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { type IngestContext, ingest } from "../../src/ingest/core";
import { ingestLimitsOf } from "../../src/ingest/limits";
import { batch, protocolUse } from "../helpers/events";
import { postEvents } from "../helpers/harness";
import { recordingEventsQueue, recordingQueue } from "../helpers/queue";

/**
 * After the events are durable on the Queue, the ingest core is done: the answer waits for
 * nothing else, and nothing else starts from the request. Storing, archiving and forwarding
 * to an upstream PostHog are the consumer's, from what it stored (test/forward/enqueue.test.ts).
 */

function context(queue: Queue): IngestContext {
  const free = async () => {};
  return {
    receivedAt: Date.now(),
    tenantId: null,
    country: null,
    limiter: { admitEvents: free, admitForget: free, chargeBody: free, chargeTenant: free, recordAuthFailure: free },
    queue,
    limits: ingestLimitsOf(env),
    waitUntil: () => {
      throw new Error("an accepted batch leaves no work behind");
    },
  };
}

describe("after the events are durable", () => {
  it("the core resolves once the Queue resolved, having queued the accepted events only", async () => {
    // A Queue that takes a while: what it records, it records as it resolves.
    const { queue, events } = recordingEventsQueue({ delayMs: 10 });
    const good = protocolUse();
    const bad = protocolUse({ properties: { user_name: "alice" } });
    const result = await ingest({ app: "teleport-connect", events: [good, bad, good] }, context(queue));
    expect(events).not.toHaveLength(0);
    expect(result).toMatchObject({ accepted: 1, duplicates: 1, rejected: [{ index: 1 }] });
    expect(events.map((event) => event.uuid)).toEqual([good.uuid]);
  });

  it("nothing else starts from the request: with forwarding on, the forward queue is never sent to", async () => {
    const forward = recordingQueue();
    const res = await postEvents(
      batch([protocolUse(), protocolUse()]),
      {},
      {
        bindings: {
          POSTHOG_HOST: "https://posthog.example",
          POSTHOG_API_KEY: "phc_test_key",
          EVENTS_QUEUE: recordingEventsQueue().queue,
          FORWARD_QUEUE: forward.queue,
        },
      },
    );
    expect(res.status).toBe(202);
    expect(forward.bodies).toHaveLength(0);
  });
});
