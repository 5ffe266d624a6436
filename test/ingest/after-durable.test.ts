import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { app } from "../../src/app";
import { type IngestContext, ingest } from "../../src/ingest/core";
import { ingestLimitsOf } from "../../src/ingest/limits";
import { type QueuedBatch, storedEventsOf } from "../../src/ingest/queue-message";
import { batch, protocolUse } from "../helpers/events";

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
    let queueResolved = false;
    const sent: QueuedBatch[] = [];
    const queue = {
      sendBatch: async (messages: Iterable<MessageSendRequest<QueuedBatch>>) => {
        await new Promise((resolve) => setTimeout(resolve, 10));
        for (const message of messages) sent.push(message.body);
        queueResolved = true;
      },
    } as unknown as Queue;
    const good = protocolUse();
    const bad = protocolUse({ properties: { user_name: "alice" } });
    const result = await ingest({ app: "teleport-connect", events: [good, bad, good] }, context(queue));
    expect(queueResolved).toBe(true);
    expect(result).toMatchObject({ accepted: 1, duplicates: 1, rejected: [{ index: 1 }] });
    expect(sent.flatMap(storedEventsOf).map((event) => event.uuid)).toEqual([good.uuid]);
  });

  it("nothing else starts from the request: with forwarding on, the forward queue is never sent to", async () => {
    let forwardSends = 0;
    const forward = {
      sendBatch: async () => {
        forwardSends++;
      },
    } as unknown as Queue;
    const events = { sendBatch: async () => {} } as unknown as Queue;
    const ctx = createExecutionContext();
    const res = await app.fetch(
      new Request("http://edgehog.test/v1/events", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify(batch([protocolUse(), protocolUse()])),
      }),
      {
        ...env,
        POSTHOG_HOST: "https://posthog.example",
        POSTHOG_API_KEY: "phc_test_key",
        EVENTS_QUEUE: events,
        FORWARD_QUEUE: forward,
      },
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(202);
    expect(forwardSends).toBe(0);
  });
});
