import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { fromBase64, randomBytes, toBase64, toBase64Url, toHex } from "../../src/lib/bytes";
import { constantTimeEqual } from "../../src/lib/crypto";

/** The same bytes without the platform's encoders, as in Node 20 or an older browser. */
function withoutNative(bytes: Uint8Array): Uint8Array {
  const copy = new Uint8Array(bytes);
  Object.defineProperty(copy, "toBase64", { value: undefined });
  Object.defineProperty(copy, "toHex", { value: undefined });
  return copy;
}

describe("bytes as text", () => {
  it("encodes known vectors (RFC 4648) natively and without the platform's encoders", () => {
    const foobar = new TextEncoder().encode("foobar");
    for (const bytes of [foobar, withoutNative(foobar)]) {
      expect(toBase64(bytes)).toBe("Zm9vYmFy");
      expect(toBase64(bytes.subarray(0, 4))).toBe("Zm9vYg==");
      expect(toHex(bytes)).toBe("666f6f626172");
    }
    const awkward = new Uint8Array([0xfb, 0xff, 0xbf]);
    expect(toBase64(awkward)).toBe("+/+/");
    expect(toBase64Url(awkward)).toBe("-_-_");
    expect(toBase64Url(withoutNative(new Uint8Array([0xfb, 0xff])))).toBe("-_8");
  });

  it("gives the same text both ways for random bytes of every length up to 64", () => {
    for (let n = 0; n <= 64; n++) {
      const bytes = randomBytes(n);
      expect(toBase64(withoutNative(bytes))).toBe(toBase64(bytes));
      expect(toBase64Url(withoutNative(bytes))).toBe(toBase64Url(bytes));
      expect(toHex(withoutNative(bytes))).toBe(toHex(bytes));
    }
  });

  it("compares secrets of any length", async () => {
    expect(await constantTimeEqual("a-secret", "a-secret")).toBe(true);
    expect(await constantTimeEqual("a-secret", "a-secreT")).toBe(false);
    expect(await constantTimeEqual("short", "a much longer secret")).toBe(false);
  });

  it("decodes what it encodes, padded or not, and reads an unescaped form's spaces as +", () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 200 }), (bytes) => {
        const text = toBase64(bytes);
        expect(fromBase64(text)).toEqual(bytes);
        expect(fromBase64(text.replace(/=+$/, ""))).toEqual(bytes);
        expect(fromBase64(text.replace(/\+/g, " "))).toEqual(bytes);
      }),
      { seed: 4, numRuns: 300 },
    );
    expect(fromBase64("not base64!")).toBeUndefined();
    expect(fromBase64("Zm9vY")).toBeUndefined(); // one character too many
  });
});
