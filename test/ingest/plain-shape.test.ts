import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { eventSchema, plainShape } from "../../src/ingest/judge-event";
import { protocolUse } from "../helpers/events";

/**
 * The judge checks an event's shape with plain code and leaves anything unusual to the zod
 * schema, which decides and words the refusal. Whatever plain code accepts, zod accepts with
 * the same data; and well-formed events never need zod.
 */

const anyValue = fc.oneof(
  fc.string({ maxLength: 140 }),
  fc.uuid(),
  fc.date({ noInvalidDate: true }).map((d) => d.toISOString()),
  fc.constantFrom(
    "2026-11-20T10:00:00+01:00",
    "2026-02-29T10:00:00Z",
    "2026-11-20 10:00:00Z",
    "2026-11-20T24:00:00Z",
    "",
  ),
  fc.integer(),
  fc.constant(null),
  fc.constant(undefined),
  fc.constant([]),
  fc.dictionary(fc.string({ maxLength: 8 }), fc.string({ maxLength: 8 })),
);

const event = fc
  .record({
    field: fc.constantFrom("uuid", "event", "distinct_id", "timestamp", "properties", "extra", "none"),
    value: anyValue,
  })
  .map(({ field, value }) => {
    const raw: Record<string, unknown> = protocolUse();
    if (field !== "none") raw[field] = value;
    return raw;
  });

describe("plainShape", () => {
  it("accepts only what the zod schema accepts, with the same data", () => {
    fc.assert(
      fc.property(event, (raw) => {
        const plain = plainShape(raw);
        const parsed = eventSchema.safeParse(raw);
        if (plain !== undefined) {
          expect(parsed.success).toBe(true);
          expect(plain).toEqual(parsed.data);
        }
      }),
      { seed: 20261207, numRuns: 3000 },
    );
  });

  it("needs no zod for a well-formed event", () => {
    fc.assert(
      fc.property(
        fc.uuid({ version: 4 }),
        fc.date({ min: new Date(0), max: new Date("9999-12-31T23:59:59Z"), noInvalidDate: true }),
        (uuid, time) => {
          expect(plainShape(protocolUse({ uuid, timestamp: time.toISOString() }))).toBeDefined();
        },
      ),
      { seed: 20261208, numRuns: 200 },
    );
  });
});
