import { serialize } from "node:v8";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { V8_BYTES_PER_JSON_BYTE } from "../../src/lib/queue-send";

/**
 * The ingest core packs Queue messages by bounds of their events' UTF-8 JSON, and sends them as
 * values, which the runtime serialises with V8's serialiser: the Queues limits apply to those
 * bytes. V8_BYTES_PER_JSON_BYTE says how far apart the two sizes can be for a message
 * (src/lib/queue-send.ts). Here Node's V8 (the same serialiser and format as workerd's) holds
 * it to that on messages of any content, the worst ones for it included: strings past U+00FF
 * (two bytes per unit in V8), lone surrogates, doubles with short decimal forms, events with
 * next to no text around their numbers.
 */

const FIXED = { seed: 20261207, numRuns: 400 };
const utf8 = new TextEncoder();

const jsonBytes = (value: unknown) => utf8.encode(JSON.stringify(value)).byteLength;
/** V8's bytes, its version header included. */
const v8Bytes = (value: unknown) => serialize(value).byteLength;

/** ASCII with one unit past U+00FF: V8 stores all of it two bytes per unit, JSON one per byte. */
const widenedAscii = fc
  .tuple(fc.string({ minLength: 1, maxLength: 300 }), fc.integer({ min: 0x100, max: 0xd7ff }))
  .map(([text, unit]) => text + String.fromCharCode(unit));

/** Text of every kind: ASCII, Latin-1, any UTF-16 unit (lone surrogates included), astral characters. */
const anyText = fc.oneof(
  fc.string(),
  widenedAscii,
  fc.string({ unit: "binary" }),
  fc.string({ unit: fc.integer({ min: 0x80, max: 0xff }).map((c) => String.fromCharCode(c)) }),
  fc.string({ unit: fc.integer({ min: 0, max: 0xffff }).map((c) => String.fromCharCode(c)) }),
);
const anyNumber = fc.oneof(
  fc.integer(),
  fc.double({ noNaN: true, noDefaultInfinity: true }),
  fc.constantFrom(0.5, -0.5, 1e-7, 0),
);
const propertyValue = fc.oneof(anyText, anyNumber, fc.boolean());

/** A message as the ingest core builds it (src/ingest/queue-message.ts, version 2), with arbitrary contents. */
const message = fc.record({
  v: fc.constant(2),
  batch_id: fc.uuid(),
  app: anyText,
  received_at: anyNumber,
  country: fc.option(anyText),
  tenant_id: fc.option(anyText),
  events: fc.array(
    fc.tuple(anyText, anyText, anyText, anyNumber, anyNumber, anyText, anyText, fc.dictionary(anyText, propertyValue)),
    { maxLength: 20 },
  ),
  rejections: fc.dictionary(anyText, fc.nat()),
  dropped_properties: fc.dictionary(anyText, fc.dictionary(anyText, fc.nat())),
});

describe("a Queue message's size as V8 serialises it", () => {
  it("is at most V8_BYTES_PER_JSON_BYTE times its UTF-8 JSON, for messages of any content", () => {
    fc.assert(
      fc.property(message, (body) => {
        expect(v8Bytes(body)).toBeLessThanOrEqual(V8_BYTES_PER_JSON_BYTE * jsonBytes(body));
      }),
      FIXED,
    );
  });

  it("is at most V8_BYTES_PER_JSON_BYTE times its UTF-8 JSON, for events of the fewest bytes", () => {
    // Empty names and texts, decimals for both times and for every property: the least JSON
    // around each number.
    const shortText = fc.oneof(fc.constant(""), fc.string({ maxLength: 1 }), fc.constant("ж"));
    const shortNumber = fc.constantFrom(0.5, -0.5, 1e-7, 0, 1.5);
    const event = fc.tuple(
      shortText,
      shortText,
      shortText,
      shortNumber,
      shortNumber,
      shortText,
      shortText,
      fc.dictionary(shortText, fc.oneof(shortNumber, fc.boolean(), shortText)),
    );
    fc.assert(
      fc.property(fc.array(event, { minLength: 1, maxLength: 50 }), (events) => {
        const body = {
          v: 2,
          batch_id: "",
          app: "",
          received_at: 0.5,
          country: null,
          tenant_id: null,
          events,
          rejections: {},
          dropped_properties: {},
        };
        expect(v8Bytes(body)).toBeLessThanOrEqual(V8_BYTES_PER_JSON_BYTE * jsonBytes(body));
      }),
      FIXED,
    );
  });

  it("does not hold for every JSON value: an array of short decimals, which no message holds", () => {
    // Why the bound is stated for messages (src/lib/queue-send.ts): 9 bytes an element against 4.
    const body = { value: Array.from({ length: 50 }, () => 0.5) };
    expect(v8Bytes(body)).toBeGreaterThan(V8_BYTES_PER_JSON_BYTE * jsonBytes(body));
  });

  it("needs the factor: ASCII text with one unit past U+00FF comes near it", () => {
    // V8 stores a string one byte per unit, or two for all of them once one unit is past U+00FF.
    const message = (text: string) => ({ v: 2, events: [[text, "e", "d", 1, 0, "1.0", "linux", {}]] });
    const ratio = (text: string) => v8Bytes(message(text)) / jsonBytes(message(text));
    expect(ratio("a".repeat(5000))).toBeLessThan(1.01);
    expect(ratio(`${"a".repeat(5000)}ж`)).toBeGreaterThan(1.95);
    expect(ratio(`${"a".repeat(5000)}ж`)).toBeLessThanOrEqual(V8_BYTES_PER_JSON_BYTE);
    expect(ratio("好".repeat(5000))).toBeLessThan(0.7);
  });
});
