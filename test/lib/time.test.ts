import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { DAY_MS, daysBetween, parseCheckedDateTime, utcDay, utcHour } from "../../src/lib/time";

describe("UTC calendar strings", () => {
  it("names UTC days and hours", () => {
    expect(utcDay(Date.parse("2026-11-24T23:59:59.999Z"))).toBe("2026-11-24");
    expect(utcDay(Date.parse("2026-11-25T00:30:00+01:00"))).toBe("2026-11-24");
    expect(utcHour(Date.parse("2026-11-25T00:30:00+01:00"))).toBe("2026-11-24T23");
  });

  it("lists every day of a range, both ends included, across months", () => {
    expect(daysBetween("2026-02-27", "2026-03-02")).toEqual(["2026-02-27", "2026-02-28", "2026-03-01", "2026-03-02"]);
    expect(daysBetween("2026-03-02", "2026-03-01")).toEqual([]);
    expect(DAY_MS).toBe(86_400_000);
  });
});

describe("parseCheckedDateTime", () => {
  const RFC3339 = z.core.regexes.datetime({ offset: true });
  it("reads every RFC 3339 date-time the event schema accepts as Date.parse does", () => {
    const dateTime = fc
      .record({
        ms: fc.integer({ min: Date.UTC(-1, 0, 1) + 86_400_000 * 400, max: Date.UTC(9999, 11, 31) }),
        fraction: fc.oneof(fc.constant(""), fc.stringMatching(/^\.\d{1,12}$/)),
        offset: fc.oneof(fc.constant("Z"), fc.stringMatching(/^[+-]([01]\d|2[0-3]):[0-5]\d$/)),
      })
      .map(({ ms, fraction, offset }) => `${new Date(ms).toISOString().slice(0, 19)}${fraction}${offset}`)
      .filter((text) => RFC3339.test(text));
    const early = fc.constantFrom("0000-01-01T00:00:00Z", "0099-12-31T23:59:59.999+01:00", "0100-03-01T00:00:00Z");
    fc.assert(
      fc.property(fc.oneof(dateTime, early), (text) => {
        expect(parseCheckedDateTime(text)).toBe(Date.parse(text));
      }),
      { seed: 20261206, numRuns: 3000 },
    );
  });
});
