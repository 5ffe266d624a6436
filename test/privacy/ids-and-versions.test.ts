import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toBase64 } from "../../src/lib/bytes";
import { isDigest, looksRandom } from "../../src/privacy/digest";
import { installId, randomUuid } from "../../src/privacy/ids";
import { isVersion } from "../../src/privacy/version";

const text = (s: string) => new TextEncoder().encode(s);
const base64Of = (bytes: Uint8Array) => toBase64(bytes);

describe("digests must look random", () => {
  it("refuses 32 bytes of readable text shaped like a digest", () => {
    const padded = (s: string, pad: string) => base64Of(text(s.padEnd(32, pad)));
    for (const value of [
      padded("alice@example.com", " "),
      padded("alice@example.com", "\0"),
      padded("db-prod-1.internal.example.com", "."),
      padded("10.0.0.1", "\0"),
      base64Of(new Uint8Array(32)),
      base64Of(text("ab".repeat(16))),
    ]) {
      expect(value).toMatch(/^[A-Za-z0-9+/]{43}=$/); // the shape alone would pass
      expect(isDigest(value), value).toBe(false);
    }
  });

  it("accepts random bytes (100,000 of them, fixed seed)", () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 32, maxLength: 32 }), (bytes) => looksRandom(bytes)),
      { seed: 20261126, numRuns: 100_000 },
    );
  });
});

describe("ids must be random UUIDs", () => {
  it.each([
    ["v1 (MAC address and time)", "6ba7b810-9dad-11d1-80b4-00c04fd430c8"],
    ["v3 (MD5 of a name)", "a3bb189e-8bf9-3888-9912-ace4e6543002"],
    ["v5 (SHA-1 of a name)", "886313e1-3b8a-5372-9b90-0c9aee199e5d"],
    ["v6 (time and node)", "1ec9414c-232a-6b00-b3c8-9e6bdeced846"],
    ["nil", "00000000-0000-0000-0000-000000000000"],
    ["max", "ffffffff-ffff-ffff-ffff-ffffffffffff"],
    ["a v4 that is not random", "00000000-0000-4000-8000-000000000000"],
    ["no RFC variant", "3f0c2a1e-4b5d-4c6e-0f70-8192a3b4c5d6"],
    ["not a UUID", "alice"],
  ])("refuses %s", (_, id) => {
    expect(randomUuid(id)).toBeUndefined();
    expect(installId(id)).toBeUndefined();
  });

  it("accepts v4 and v7 and lower-cases them", () => {
    const v4 = crypto.randomUUID();
    expect(randomUuid(v4.toUpperCase())).toBe(v4);
    expect(randomUuid("01936f4c-8f2a-7c3e-9b1d-2a4e6c8f0b13")).toBe("01936f4c-8f2a-7c3e-9b1d-2a4e6c8f0b13");
    fc.assert(
      fc.property(fc.uuid({ version: [4, 7] }), (id) => randomUuid(id) === id.toLowerCase()),
      { seed: 7, numRuns: 10_000 },
    );
  });
});

describe("version properties", () => {
  it.each([
    "16.4.7",
    "v1.2.3-rc.1",
    "17.0.0-alpha.1",
    "17.0.0-dev",
    "17.0.0-rc1",
    "10.0.22631",
    "23.1.0",
    "6.5.0-generic",
    "5.15.153-wsl",
  ])("accepts %j", (version) => {
    expect(isVersion(version)).toBe(true);
  });

  it.each([
    "6.5.0+alice-laptop.corp.example.com",
    "10.0.0.1",
    "010.000.000.001",
    "192.168.1.20",
    "2001:db8::1",
    "1.2.3-alice@example.com",
    "laptop.example.com",
    "1.2.3.4.5",
    "7-aqjv5o.qrshrxf3z.gtg",
    "17.0.1+example.com",
    "1.0.0-alice.corp.example.com",
    "01.2.3",
    `1.2.3-${"x".repeat(40)}`,
    // Outside the vocabulary, build metadata, kernel suffixes (os_version reduces them instead).
    "6.5.0-14-generic",
    "17.0.1+build.5",
    "1.0.0-alice",
    "6.5.0-alice-laptop",
    // Numbers that could carry a phone, an SSN, a card or an address, split or not.
    "555.1234.5678",
    "555.123.4567-rc.1",
    "123.45.6789",
    "4111.1111.1111-rc.1111",
    "10.0.0-1",
    "1.2.3-rc.123456",
  ])("refuses %j", (version) => {
    expect(isVersion(version)).toBe(false);
  });
});
