import { describe, expect, it } from "vitest";
import { type AcceptedBatch, packMessages } from "../../src/ingest/enqueue";
import { ingestLimitsOf, MAX_EVENT_BYTES_CEILING } from "../../src/ingest/limits";
import {
  groupForSend,
  MAX_MESSAGE_BYTES,
  MAX_SEND_BATCH_BYTES,
  V8_BYTES_PER_JSON_BYTE,
} from "../../src/lib/queue-send";
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
    // A message's V8 form (what the Queue carries) is at most V8_BYTES_PER_JSON_BYTE times its
    // JSON (test/e2e/v8-size.test.ts): that of the real message, not the estimate, respects the limit.
    const v8Bound = (body: unknown) => V8_BYTES_PER_JSON_BYTE * new TextEncoder().encode(JSON.stringify(body)).length;
    for (const message of messages) {
      expect(v8Bound(message.body)).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
      expect(v8Bound(message.body)).toBeLessThanOrEqual(message.bytes);
      expect(message.bytes).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    }
    expect(messages.reduce((n, m) => n + m.body.events.length, 0)).toBe(1000);
    for (const group of groupForSend(messages)) {
      expect(group.length).toBeLessThanOrEqual(100);
      expect(group.reduce((n, m) => n + v8Bound(m.body), 0)).toBeLessThanOrEqual(MAX_SEND_BATCH_BYTES);
    }
  });

  it("fits the largest event an operator may allow in one message, and refuses a larger allowance", () => {
    const [message, ...more] = packMessages({ ...accepted(1, 0), eventBytes: [MAX_EVENT_BYTES_CEILING + 1000] });
    expect(more).toHaveLength(0);
    expect(message?.bytes).toBeLessThanOrEqual(MAX_MESSAGE_BYTES);
    expect(ingestLimitsOf({ MAX_EVENT_BYTES: String(MAX_EVENT_BYTES_CEILING) }).MAX_EVENT_BYTES).toBe(50_000);
    expect(() => ingestLimitsOf({ MAX_EVENT_BYTES: String(MAX_EVENT_BYTES_CEILING + 1) })).toThrow(/MAX_EVENT_BYTES/);
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
