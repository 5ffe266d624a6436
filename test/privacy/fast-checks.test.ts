import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toBase64 } from "../../src/lib/bytes";
import { isDigest, looksRandom } from "../../src/privacy/digest";
import { randomUuid } from "../../src/privacy/ids";

/**
 * `isDigest` and `randomUuid` run on every event, so they are written as single passes over the
 * characters. Here they are held to the plain definitions they replace: a regex, a decode and
 * a set.
 */

const DIGEST = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;
function referenceIsDigest(value: unknown): boolean {
  if (typeof value !== "string" || value.length !== 44 || !DIGEST.test(value)) return false;
  const bytes = Uint8Array.from(atob(value), (c) => c.charCodeAt(0));
  let text = 0;
  for (const byte of bytes) if ((byte >= 0x20 && byte <= 0x7e) || [0, 9, 10, 13].includes(byte)) text++;
  return text <= 29 && new Set(bytes).size >= 17;
}

const RANDOM_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[47][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
function referenceRandomUuid(value: unknown): string | undefined {
  if (typeof value !== "string" || value.length !== 36) return undefined;
  const id = value.toLowerCase();
  if (!RANDOM_UUID.test(id)) return undefined;
  if (id[14] === "4" && new Set(id.replace(/-/g, "")).size <= 4) return undefined;
  return id;
}

/** Strings near the shape: one character of a valid value replaced by anything. */
const nearly = (valid: fc.Arbitrary<string>) =>
  fc
    .tuple(
      valid,
      fc.nat(),
      fc.oneof(fc.string({ minLength: 1, maxLength: 1 }), fc.constantFrom("-", "=", "A", "f", "é", "\u0000")),
    )
    .map(([text, at, c]) => {
      const i = at % text.length;
      return text.slice(0, i) + c + text.slice(i + 1);
    });

describe("single-pass checks", () => {
  it("isDigest accepts exactly the regex-shaped base64 of random-looking 32 bytes", () => {
    const digest = fc.uint8Array({ minLength: 32, maxLength: 32 }).map(toBase64);
    const textual = fc
      .string({ unit: fc.constantFrom(..."abc xyz@.-_019\u0000\t"), minLength: 0, maxLength: 32 })
      .map((text) => toBase64(new TextEncoder().encode(text.padEnd(32, " ")).slice(0, 32)));
    const fewValues = fc
      .array(fc.integer({ min: 0, max: 255 }), { minLength: 1, maxLength: 20 })
      .map((values) => toBase64(Uint8Array.from({ length: 32 }, (_, i) => values[i % values.length] as number)));
    fc.assert(
      fc.property(
        fc.oneof(digest, textual, fewValues, nearly(digest), fc.string({ maxLength: 46 }), fc.anything()),
        (value) => {
          expect(isDigest(value)).toBe(referenceIsDigest(value));
        },
      ),
      { seed: 20261204, numRuns: 5000 },
    );
    expect(looksRandom(new Uint8Array(32))).toBe(false);
  });

  it("randomUuid accepts and lower-cases exactly the random v4/v7 UUIDs", () => {
    const uuid = fc.oneof(fc.uuid({ version: 4 }), fc.uuid({ version: 7 }), fc.uuid());
    const cased = uuid.chain((id) =>
      fc.constantFrom(id, id.toUpperCase(), id.slice(0, 20) + id.slice(20).toUpperCase()),
    );
    const lowEntropy = fc
      .array(fc.constantFrom(..."0123456789abcdef"), { minLength: 1, maxLength: 5 })
      .map((digits) => {
        const hex = Array.from({ length: 32 }, (_, i) => digits[i % digits.length]).join("");
        return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-4${hex.slice(13, 16)}-8${hex.slice(17, 20)}-${hex.slice(20)}`;
      });
    fc.assert(
      fc.property(fc.oneof(cased, lowEntropy, nearly(uuid), fc.string({ maxLength: 40 }), fc.anything()), (value) => {
        expect(randomUuid(value)).toBe(referenceRandomUuid(value));
      }),
      { seed: 20261205, numRuns: 5000 },
    );
  });
});
