import { describe, expect, it } from "vitest";
import { type AcceptedBatch, packMessages } from "../../src/ingest/enqueue";
import { groupForSend, MAX_MESSAGE_BYTES, MAX_SEND_BATCH_BYTES } from "../../src/lib/queue-send";
import { batch, protocolUse } from "../helpers/events";
import { postEvents } from "../helpers/harness";
import { recordingEventsQueue, storedEvent } from "../helpers/queue";

function accepted(eventCount: number, eventSize: number): AcceptedBatch {
  const events = Array.from({ length: eventCount }, () => storedEvent({ properties: { pad: "x".repeat(eventSize) } }));
  return {
    app: "teleport-connect",
    receivedAt: Date.now(),
    country: null,
    tenantId: null,
    events,
    eventBytes: events.map((e) => JSON.stringify(e).length),
    rejections: { not_anonymized: 3 },
    droppedProperties: {},
  };
}

describe("packing accepted batches into Queue messages", () => {
  it("puts a small batch in one message", () => {
    const messages = packMessages(accepted(100, 200));
    expect(messages).toHaveLength(1);
    expect(messages[0]?.body.events).toHaveLength(100);
  });

  it("splits a large batch so every message and every sendBatch call stays under the Queues limits", () => {
    const messages = packMessages(accepted(1000, 4000));
    expect(messages.length).toBeGreaterThan(30);
    for (const message of messages) {
      // The real serialised size, not the estimate, must respect the 128 KB message limit.
      expect(new TextEncoder().encode(JSON.stringify(message.body)).length).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
      expect(message.bytes).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    }
    expect(messages.reduce((n, m) => n + m.body.events.length, 0)).toBe(1000);
    for (const group of groupForSend(messages)) {
      expect(group.length).toBeLessThanOrEqual(100);
      expect(group.reduce((n, m) => n + JSON.stringify(m.body).length, 0)).toBeLessThanOrEqual(MAX_SEND_BATCH_BYTES);
    }
  });

  it("carries the batch's counters on the first message only, so they are added once", () => {
    const messages = packMessages(accepted(1000, 4000));
    expect(messages[0]?.body.rejections).toEqual({ not_anonymized: 3 });
    expect(messages.slice(1).every((m) => Object.keys(m.body.rejections).length === 0)).toBe(true);
    expect(new Set(messages.map((m) => m.body.batch_id)).size).toBe(messages.length);
  });
});

describe("POST /v1/events when the Queue fails", () => {
  it("answers 503 with Retry-After and accepts nothing", async () => {
    const failing = recordingEventsQueue({ fail: "throw" });
    const res = await postEvents(
      batch([protocolUse(), protocolUse()]),
      {},
      { bindings: { EVENTS_QUEUE: failing.queue } },
    );
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(await res.json()).toMatchObject({
      error: "storage_unavailable",
      message: expect.stringMatching(/try again/),
    });
    expect(failing.events).toHaveLength(2); // it tried, and said so honestly
  });
});
