import { describe, expect, it } from "vitest";
import { judgeEvent } from "../../src/ingest/judge-event";
import { flatJsonSize, jsonSize, jsonSizeUpperBound } from "../../src/lib/json-size";
import { eventContext, protocolUse } from "../helpers/events";

const awkward = ["plain", 'quote " and \\ backslash', "tab\tnew\nline\u0001", "é ü ß", "日本語", "emoji 🦔🦔", ""];

describe("JSON sizes without serialising", () => {
  it("jsonSize is the UTF-8 length of JSON.stringify", () => {
    for (const text of awkward) {
      const value = { text, n: 12.5, ok: true, list: [text, null] };
      expect(jsonSize(value)).toBe(new TextEncoder().encode(JSON.stringify(value)).length);
    }
  });

  it("jsonSizeUpperBound never underestimates, whatever the characters", () => {
    for (const text of awkward) {
      const value = { [text]: text, nested: { deep: [text, 1, false, null, { k: text }] } };
      expect(jsonSizeUpperBound(value, Number.MAX_SAFE_INTEGER)).toBeGreaterThanOrEqual(jsonSize(value));
    }
  });

  it("jsonSizeUpperBound stops early once past the limit", () => {
    const big = { a: "x".repeat(10_000), b: "y".repeat(10_000) };
    expect(jsonSizeUpperBound(big, 100)).toBeGreaterThan(100);
  });

  it("flatJsonSize is exact for plain ASCII and an upper bound otherwise", () => {
    const plain = { uuid: crypto.randomUUID(), n: 3, yes: true, version: "17.0.1" };
    expect(flatJsonSize(plain)).toBeGreaterThanOrEqual(jsonSize(plain));
    expect(flatJsonSize(plain) - jsonSize(plain)).toBeLessThanOrEqual(2 * 24); // only the numbers are rounded up
    for (const text of awkward) {
      expect(flatJsonSize({ text })).toBeGreaterThanOrEqual(jsonSize({ text }));
    }
  });

  it("bounds every accepted event's stored size, which packs the Queue messages", () => {
    const events = [
      protocolUse(),
      ...awkward.map((job_role) => ({
        uuid: crypto.randomUUID(),
        event: "connect.user.job_role",
        distinct_id: crypto.randomUUID(),
        timestamp: new Date().toISOString(),
        properties: { job_role, app_version: "17.0.1-rc.1" },
      })),
    ];
    for (const raw of events) {
      const verdict = judgeEvent(raw, eventContext());
      if (!verdict.ok) throw new Error(`rejected: ${verdict.message}`);
      expect(verdict.value.bytes).toBeGreaterThanOrEqual(jsonSize(verdict.value.event));
    }
  });

  it("refuses an event over the cap exactly at the cap, whether it sent only what is kept or more", () => {
    const keptOnly = protocolUse();
    const withMore = { ...protocolUse(), extra: "x", properties: { ...protocolUse().properties, padding: "y" } };
    for (const raw of [keptOnly, withMore]) {
      const size = jsonSize(raw);
      expect(judgeEvent(raw, eventContext({ maxEventBytes: size })).ok).toBe(true);
      expect(judgeEvent(raw, eventContext({ maxEventBytes: size - 1 }))).toMatchObject({
        ok: false,
        error: "event_too_large",
      });
    }
  });
});
