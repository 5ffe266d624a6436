import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  batchMessageOf,
  batchMessageSchema,
  eventTupleOf,
  parseBatchMessage,
  queueMessageSchema,
  storedEventOf,
} from "../../src/ingest/queue-message";
import { batchMessage, storedEvent } from "../helpers/queue";

/**
 * The consumer checks queue messages with plain code and falls back to the zod schema for
 * anything unusual: over messages as written and damaged ones, it accepts exactly what the
 * schema accepts, and hands back the same data, for both versions of the message.
 */

const value = fc.oneof(
  fc.string(),
  fc.integer(),
  fc.double(),
  fc.boolean(),
  fc.constant(null),
  fc.constant(undefined),
  fc.constant({}),
  fc.constant([]),
);

/** Where a field of an event is in a version 2 tuple; "extra" is one element too many. */
const TUPLE_INDEX: Record<string, number> = {
  uuid: 0,
  event: 1,
  distinct_id: 2,
  timestamp: 3,
  client_timestamp: 4,
  app_version: 5,
  os: 6,
  properties: 7,
  extra: 8,
};

/** A message as the ingest core writes it, then a field of it (or of an event) replaced. */
const damaged = fc
  .record({
    events: fc.integer({ min: 0, max: 4 }),
    withCounters: fc.boolean(),
    version: fc.constantFrom("1 without client_timestamp", "1", "2"),
    where: fc.constantFrom("message", "event", "properties", "rejections", "dropped", "none"),
    key: fc.constantFrom(
      "v",
      "batch_id",
      "app",
      "received_at",
      "country",
      "tenant_id",
      "events",
      "uuid",
      "event",
      "distinct_id",
      "timestamp",
      "client_timestamp",
      "app_version",
      "os",
      "properties",
      "protocol",
      "0",
      "__proto__",
      "constructor",
      "extra",
    ),
    replacement: value,
    remove: fc.boolean(),
  })
  .map(({ events, withCounters, version, where, key, replacement, remove }) => {
    const v1 = batchMessage(
      Array.from({ length: events }, () => storedEvent({ client_timestamp: Date.parse("2026-11-20T09:58:00Z") })),
      withCounters
        ? { rejections: { invalid_uuid: 2 }, dropped_properties: { "connect.protocol.use": { host: 1 } } }
        : {},
    );
    const v2 = { ...v1, v: 2, events: v1.events.map(eventTupleOf) };
    const message = (version === "2" ? v2 : v1) as unknown as Record<string, unknown>;
    if (version === "1 without client_timestamp") {
      for (const event of message.events as Record<string, unknown>[]) delete event.client_timestamp;
    }
    const event = (message.events as Record<string, unknown>[])[0];
    const targets: Record<string, Record<string, unknown> | undefined> = {
      message,
      event,
      properties: (version === "2" ? event?.[7] : event?.properties) as Record<string, unknown> | undefined,
      rejections: message.rejections as Record<string, unknown>,
      dropped: message.dropped_properties as Record<string, unknown>,
    };
    const target = targets[where];
    const field = version === "2" && where === "event" ? String(TUPLE_INDEX[key] ?? key) : key;
    if (target) {
      if (remove) delete target[field];
      else
        Object.defineProperty(target, field, {
          value: replacement,
          enumerable: true,
          configurable: true,
          writable: true,
        });
    }
    return message;
  });

describe("parseBatchMessage", () => {
  it("accepts exactly what the schema accepts, as written, after JSON and as JSON text (as earlier versions sent it)", () => {
    fc.assert(
      fc.property(damaged, (message) => {
        // As written; as V8's serialiser carries it (the Queue's "v8" content type); after JSON.
        for (const input of [message, structuredClone(message), JSON.parse(JSON.stringify(message))]) {
          const plain = parseBatchMessage(input);
          const schema = queueMessageSchema.safeParse(input);
          expect(plain.success).toBe(schema.success);
          if (plain.success && schema.success) {
            // Only keys the schema does not know may differ (it strips them).
            const expected = schema.data.v === 1 ? schema.data : batchMessageOf(schema.data);
            expect(batchMessageSchema.parse(plain.data)).toEqual(expected);
          }
        }
        // As versions before sent it, its JSON text: read as the JSON value would be.
        const asValue = parseBatchMessage(JSON.parse(JSON.stringify(message)));
        const asText = parseBatchMessage(JSON.stringify(message));
        expect(asText.success).toBe(asValue.success);
        if (asText.success && asValue.success) expect(asText.data).toEqual(asValue.data);
      }),
      { seed: 20261203, numRuns: 1000 },
    );
  });

  it("reads a version 2 event back as it was accepted, its client time included", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 2 ** 42 }),
        fc.integer({ min: -(2 ** 40), max: 2 ** 40 }),
        (timestamp, skew) => {
          const event = storedEvent({ timestamp, client_timestamp: timestamp + skew });
          expect(storedEventOf(JSON.parse(JSON.stringify(eventTupleOf(event))))).toEqual(event);
        },
      ),
      { seed: 20261126, numRuns: 300 },
    );
  });

  it("says why a message is malformed", () => {
    const parsed = parseBatchMessage({ ...batchMessage([storedEvent()]), v: 3 });
    expect(parsed.success).toBe(false);
    expect(parsed.success ? [] : parsed.error.issues[0]?.path).toEqual(["v"]);
    const tuple = parseBatchMessage({ ...batchMessage([]), v: 2, events: [eventTupleOf(storedEvent()).slice(0, 7)] });
    expect(tuple.success ? [] : tuple.error.issues[0]?.path).toEqual(["events", 0]);
    const text = parseBatchMessage(`${JSON.stringify(batchMessage([storedEvent()]))}}`);
    expect(text.success).toBe(false);
    expect(text.success ? "" : text.error.issues[0]?.message).toMatch(/expected object/i);
  });
});
