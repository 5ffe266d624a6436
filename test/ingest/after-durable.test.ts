import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { type DurableEvents, type IngestContext, ingest } from "../../src/ingest/core";
import { ingestLimitsOf } from "../../src/ingest/limits";
import { protocolUse } from "../helpers/events";

/**
 * The ingest core's after-durable hook (forwarding): told of exactly the accepted events, only
 * once the Queue has them, never when nothing was accepted, and unable to fail the answer.
 */

function context(queue: Queue, afterDurable: IngestContext["afterDurable"]): IngestContext {
  const free = async () => {};
  return {
    receivedAt: Date.now(),
    tenantId: null,
    country: null,
    limiter: { admitEvents: free, chargeBody: free, chargeTenant: free, recordAuthFailure: free },
    queue,
    limits: ingestLimitsOf(env),
    waitUntil: () => {},
    afterDurable,
  };
}

describe("the after-durable hook", () => {
  it("is called once the Queue resolved, with the accepted events only", async () => {
    let queueResolved = false;
    const queue = {
      sendBatch: async () => {
        await new Promise((resolve) => setTimeout(resolve, 10));
        queueResolved = true;
      },
    } as unknown as Queue;
    const calls: { durable: boolean; accepted: DurableEvents }[] = [];
    const good = protocolUse();
    const bad = protocolUse({ properties: { user_name: "alice" } });
    const result = await ingest(
      { app: "teleport-connect", events: [good, bad, good] },
      context(queue, (accepted) => calls.push({ durable: queueResolved, accepted })),
    );
    expect(result).toMatchObject({ accepted: 1, duplicates: 1, rejected: [{ index: 1 }] });
    expect(calls).toHaveLength(1);
    expect(calls[0]?.durable).toBe(true);
    expect(calls[0]?.accepted.app).toBe("teleport-connect");
    expect(calls[0]?.accepted.events.map((event) => event.uuid)).toEqual([good.uuid]);
    expect(calls[0]?.accepted.eventBytes).toHaveLength(1);
  });

  it("is not called when the Queue failed or nothing was accepted", async () => {
    const calls: DurableEvents[] = [];
    const failing = {
      sendBatch: async () => {
        throw new Error("Queue unavailable");
      },
    } as unknown as Queue;
    await expect(
      ingest(
        { app: "teleport-connect", events: [protocolUse()] },
        context(failing, (a) => calls.push(a)),
      ),
    ).rejects.toMatchObject({ status: 503 });
    const fine = { sendBatch: async () => {} } as unknown as Queue;
    const none = await ingest(
      { app: "teleport-connect", events: [protocolUse({ event: "nope" })] },
      context(fine, (a) => calls.push(a)),
    );
    expect(none.accepted).toBe(0);
    expect(calls).toEqual([]);
  });

  it("cannot fail the answer, even if it throws", async () => {
    const fine = { sendBatch: async () => {} } as unknown as Queue;
    const result = await ingest(
      { app: "teleport-connect", events: [protocolUse()] },
      context(fine, () => {
        throw new Error("a bug in a hook");
      }),
    );
    expect(result.accepted).toBe(1);
  });
});
