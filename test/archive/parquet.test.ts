import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { ArchivedEvent } from "../../src/archive/objects";
import { encodeParquet } from "../../src/archive/parquet";
import { decodeParquet } from "../../src/archive/parquet-read";

/**
 * The archive's Parquet objects hold exactly the events written to them: every field, whatever
 * it holds (uuids as Parquet UUIDs, or as text where an earlier message carried another string;
 * absent countries and tenants; properties of every kind, any Unicode), in order.
 */

const text = fc.string({ unit: "grapheme", maxLength: 24 });
const time = fc
  .integer({ min: Date.parse("2020-01-01"), max: Date.parse("2030-01-01") })
  .map((ms) => new Date(ms).toISOString());
const event = (uuid: fc.Arbitrary<string>): fc.Arbitrary<ArchivedEvent> =>
  fc.record({
    uuid,
    app: fc.constant("teleport-connect"),
    event: text,
    distinct_id: text,
    timestamp: time,
    received_at: time,
    app_version: text,
    os: text,
    country: fc.option(fc.constantFrom("DE", "US", "T1"), { nil: null }),
    tenant_id: fc.option(text, { nil: null }),
    properties: fc.dictionary(
      text.filter((key) => key !== "__proto__"),
      fc.oneof(text, fc.boolean(), fc.integer(), fc.double({ noNaN: true, noDefaultInfinity: true })),
      { maxKeys: 6 },
    ),
  });

describe("Parquet objects", () => {
  it("decode to exactly the events encoded (property)", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.oneof(
          fc.array(event(fc.uuid({ version: [4, 7] })), { minLength: 1, maxLength: 40 }),
          fc.array(event(fc.oneof(fc.uuid({ version: 4 }), text)), { minLength: 1, maxLength: 40 }),
        ),
        async (events) => {
          const bytes = encodeParquet(events);
          const buffer = bytes.buffer.slice(bytes.byteOffset, bytes.byteOffset + bytes.byteLength) as ArrayBuffer;
          expect(await decodeParquet(buffer, "teleport-connect")).toEqual(
            events.map((e) => ({ ...e, properties: JSON.parse(JSON.stringify(e.properties)) })),
          );
        },
      ),
      { seed: 20261207, numRuns: 150 },
    );
  });
});
