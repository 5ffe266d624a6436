import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { batchMessageSchema, parseBatchMessage } from "../../src/ingest/queue-message";
import { batchMessage, storedEvent } from "../helpers/queue";

/**
 * The consumer checks queue messages with plain code and falls back to the zod schema for
 * anything unusual: over messages as written and damaged ones, it accepts exactly what the
 * schema accepts, and hands back the same data.
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

/** A message as the ingest core writes it, then a field of it (or of an event) replaced. */
const damaged = fc
  .record({
    events: fc.integer({ min: 0, max: 4 }),
    withCounters: fc.boolean(),
    oldVersion: fc.boolean(),
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
      "timestamp",
      "client_timestamp",
      "os",
      "properties",
      "protocol",
      "__proto__",
      "constructor",
      "extra",
    ),
    replacement: value,
    remove: fc.boolean(),
  })
  .map(({ events, withCounters, oldVersion, where, key, replacement, remove }) => {
    const message = batchMessage(
      Array.from({ length: events }, () => storedEvent()),
      withCounters
        ? { rejections: { invalid_uuid: 2 }, dropped_properties: { "connect.protocol.use": { host: 1 } } }
        : {},
    ) as unknown as Record<string, unknown>;
    if (oldVersion) for (const event of message.events as Record<string, unknown>[]) delete event.client_timestamp;
    const targets: Record<string, Record<string, unknown> | undefined> = {
      message,
      event: (message.events as Record<string, unknown>[])[0],
      properties: (message.events as Record<string, Record<string, unknown>>[])[0]?.properties,
      rejections: message.rejections as Record<string, unknown>,
      dropped: message.dropped_properties as Record<string, unknown>,
    };
    const target = targets[where];
    if (target) {
      if (remove) delete target[key];
      else
        Object.defineProperty(target, key, {
          value: replacement,
          enumerable: true,
          configurable: true,
          writable: true,
        });
    }
    return message;
  });

describe("parseBatchMessage", () => {
  it("accepts exactly what the schema accepts, as written and after JSON (how the Queue carries it)", () => {
    fc.assert(
      fc.property(damaged, (message) => {
        for (const input of [message, JSON.parse(JSON.stringify(message))]) {
          const plain = parseBatchMessage(input);
          const schema = batchMessageSchema.safeParse(input);
          expect(plain.success).toBe(schema.success);
          if (plain.success && schema.success) {
            // Only keys the schema does not know may differ (it strips them).
            expect(batchMessageSchema.parse(plain.data)).toEqual(schema.data);
          }
        }
      }),
      { seed: 20261203, numRuns: 600 },
    );
  });

  it("says why a message is malformed", () => {
    const parsed = parseBatchMessage({ ...batchMessage([storedEvent()]), v: 2 });
    expect(parsed.success).toBe(false);
    expect(parsed.error?.issues[0]?.path).toEqual(["v"]);
  });
});
