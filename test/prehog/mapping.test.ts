import { type DescMessage, ScalarType } from "@bufbuild/protobuf";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { findApp } from "../../src/catalog/compile";
import { toHex } from "../../src/lib/bytes";
import { CONNECT_APP, CONNECT_EVENT_NAMES } from "../../src/prehog/events";
import {
  BotInstanceActivityRecordSchema,
  ResourceKindSchema,
  UserActivityRecordSchema,
  UserOriginSchema,
} from "../../src/prehog/gen/prehog/v1/teleport_pb";
import { SubmitConnectEventRequestSchema } from "../../src/prehog/gen/prehog/v1alpha/connect_pb";
import { derivedUuid, resourceIdDigest, timestampText, uuidText, uuidV4From } from "../../src/prehog/wire-values";
import { isDigest } from "../../src/privacy/digest";
import { BOT_COUNTERS, RESOURCE_KINDS, USER_COUNTERS, USER_ORIGINS } from "../../src/usage/vocabulary";

const V4_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The oneof cases of an envelope: each with the message of its fields. */
function oneofCases(envelope: DescMessage): { localName: string; message: DescMessage }[] {
  return envelope.fields.flatMap((field) =>
    field.oneof && field.fieldKind === "message" ? [{ localName: field.localName, message: field.message }] : [],
  );
}

describe("prehog events ↔ the catalogue", () => {
  it("maps every Connect oneof case to a teleport-connect event that declares each of its fields", () => {
    const app = findApp(CONNECT_APP);
    const cases = oneofCases(SubmitConnectEventRequestSchema);
    expect(cases.map((c) => c.localName).sort()).toEqual(Object.keys(CONNECT_EVENT_NAMES).sort());
    for (const { localName, message } of cases) {
      const event = app?.events.get(CONNECT_EVENT_NAMES[localName as keyof typeof CONNECT_EVENT_NAMES]);
      expect(event, localName).toBeDefined();
      expect(event?.tenantOnly).toBe(false);
      for (const field of message.fields)
        expect(event?.byName.has(field.name), `${localName}.${field.name}`).toBe(true);
      // Every property the catalogue requires has a field to come from.
      const fields = new Set(message.fields.map((f) => f.name));
      for (const property of event?.properties ?? []) {
        if (!property.optional) expect(fields.has(property.name), `${localName} ← ${property.name}`).toBe(true);
      }
    }
  });
});

describe("prehog.v1 usage reports ↔ POST /v1/usage", () => {
  const uint64Fields = (schema: DescMessage) =>
    schema.fields.filter((f) => f.fieldKind === "scalar" && f.scalar === ScalarType.UINT64).map((f) => f.name);

  it("has exactly the JSON route's counters", () => {
    expect(uint64Fields(UserActivityRecordSchema).sort()).toEqual([...USER_COUNTERS].sort());
    expect(uint64Fields(BotInstanceActivityRecordSchema).sort()).toEqual([...BOT_COUNTERS].sort());
  });

  it("lists the user origins in the order of their numbers, which the door indexes by", () => {
    expect(UserOriginSchema.values.map((v) => [v.number, v.name])).toEqual(
      USER_ORIGINS.map((origin, i) => [i, `USER_ORIGIN_${origin.toUpperCase()}`]),
    );
  });

  it("has one resource kind for each of the JSON route's", () => {
    expect(ResourceKindSchema.values.filter((v) => v.number !== 0)).toHaveLength(RESOURCE_KINDS.length);
  });
});

describe("wire values", () => {
  it("turns a resource id into a digest that starts with the id and is the same every time", async () => {
    await fc.assert(
      fc.asyncProperty(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), async (id) => {
        const digest = await resourceIdDigest(id);
        expect(isDigest(digest)).toBe(true);
        const bytes = Uint8Array.from(atob(digest), (ch) => ch.charCodeAt(0));
        expect(new DataView(bytes.buffer).getBigUint64(0, true)).toBe(id);
        expect(await resourceIdDigest(id)).toBe(digest);
      }),
      { seed: 7, numRuns: 200 },
    );
  });

  it("keeps distinct resource ids distinct", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.uniqueArray(fc.bigInt({ min: 0n, max: 2n ** 64n - 1n }), { minLength: 2, maxLength: 50 }),
        async (ids) => {
          const digests = await Promise.all(ids.map(resourceIdDigest));
          expect(new Set(digests).size).toBe(ids.length);
        },
      ),
      { seed: 8, numRuns: 50 },
    );
  });

  it("reads a Teleport resource id as the first 8 bytes of the name's HMAC, little-endian", async () => {
    // HMAC-SHA256("e8b1f7c0-cluster-id", "alice@example.com") starts 5df543ce714d8979 (the reference vector).
    const digest = await resourceIdDigest(8757616101585843549n);
    expect(toHex(Uint8Array.from(atob(digest), (ch) => ch.charCodeAt(0)).subarray(0, 8))).toBe("5df543ce714d8979");
  });

  it("derives v4-shaped uuids, the same for the same parts and different when parts are split differently", async () => {
    await fc.assert(
      fc.asyncProperty(fc.string(), fc.string(), async (a, b) => {
        const uuid = await derivedUuid(a, b);
        expect(uuid).toMatch(V4_UUID);
        expect(await derivedUuid(a, b)).toBe(uuid);
        if (b.length > 0) expect(await derivedUuid(a + b.slice(0, 1), b.slice(1))).not.toBe(uuid);
      }),
      { seed: 9, numRuns: 100 },
    );
    expect(uuidV4From(new Uint8Array(32).fill(0xff))).toBe("ffffffff-ffff-4fff-bfff-ffffffffffff");
  });

  it("writes timestamps and uuids as the JSON routes take them", () => {
    expect(timestampText({ seconds: 1_795_000_000n, nanos: 123_456_789 } as never)).toBe("2026-11-18T11:06:40.123Z");
    expect(timestampText(undefined)).toBeUndefined();
    expect(timestampText({ seconds: 10n ** 15n, nanos: 0 } as never)).not.toMatch(/^\d{4}-/);
    expect(uuidText(Uint8Array.from({ length: 16 }, (_, i) => i))).toBe("00010203-0405-0607-0809-0a0b0c0d0e0f");
    expect(uuidText(new Uint8Array(15))).not.toMatch(/-/);
  });
});
