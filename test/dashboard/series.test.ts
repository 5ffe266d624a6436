import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { bucketsOf, rangeOf, stackedSeries, topCells } from "../../src/dashboard/series";
import { SERIES_COLOURS } from "../../src/dashboard/styles";
import { OTHER } from "../../src/lib/other";
import { daysBetween } from "../../src/lib/time";

/** How a page's query becomes a range, and daily numbers become the series its charts draw. */

const SEED = 20_261_126;
const now = Date.parse("2026-11-26T15:00:00Z");

describe("rangeOf", () => {
  it("defaults to the first app and the last 30 days ending today", () => {
    expect(rangeOf({}, now)).toEqual({ range: { app: "teleport-connect", from: "2026-10-28", to: "2026-11-26" } });
  });

  it("takes from and to, or a number of days ending to", () => {
    expect(rangeOf({ app: "teleport-cluster", from: "2026-01-01", to: "2026-01-31" }, now).range).toEqual({
      app: "teleport-cluster",
      from: "2026-01-01",
      to: "2026-01-31",
    });
    expect(rangeOf({ days: "7" }, now).range).toMatchObject({ from: "2026-11-20", to: "2026-11-26" });
    expect(rangeOf({ days: "365", to: "2026-06-30" }, now).range).toMatchObject({
      from: "2025-07-01",
      to: "2026-06-30",
    });
    expect(rangeOf({ to: "2026-06-30" }, now).range).toMatchObject({ from: "2026-06-01", to: "2026-06-30" });
  });

  it("gives the defaults and the reason when the range cannot be shown", () => {
    const queries: Record<string, string>[] = [
      { app: "nope" },
      { from: "2026-02-01", to: "2026-01-01" },
      { from: "2024-01-01", to: "2026-01-01" },
      { from: "2026-02-30" },
    ];
    for (const query of queries) {
      const { range, error } = rangeOf(query, now);
      expect(range).toEqual(rangeOf({}, now).range);
      expect(error, JSON.stringify(query)).toBeTruthy();
    }
  });
});

describe("bucketsOf", () => {
  it("has a bar per day up to 62 days, then a bar per week, covering each day once", () => {
    fc.assert(
      fc.property(fc.integer({ min: 1, max: 366 }), (length) => {
        const days = daysBetween("2024-01-01", "2026-12-31").slice(0, length);
        const buckets = bucketsOf(days[0] ?? "", days[days.length - 1] ?? "");
        expect(buckets.unit).toBe(length <= 62 ? "day" : "week");
        expect(buckets.members.flat()).toEqual(days.map((_, i) => i));
        expect(buckets.labels).toEqual(buckets.members.map((members) => days[members[0] ?? -1]));
        for (const members of buckets.members)
          expect(members.length).toBeLessThanOrEqual(buckets.unit === "day" ? 1 : 7);
      }),
      { seed: SEED, numRuns: 100 },
    );
  });
});

describe("stackedSeries", () => {
  it("draws every count once, in at most as many series as there are colours, largest first", () => {
    const names = fc.constantFrom(..."abcdefghijkl".split(""));
    const perDay = fc.array(fc.dictionary(names, fc.integer({ min: 1, max: 100 })), { minLength: 1, maxLength: 70 });
    fc.assert(
      fc.property(perDay, (counts) => {
        const buckets = bucketsOf("2026-01-01", daysBetween("2026-01-01", "2026-12-31")[counts.length - 1] ?? "");
        const { series, totals } = stackedSeries(counts, buckets, "other events");
        const drawn = series.reduce((n, s) => n + s.values.reduce((a, b) => a + b, 0), 0);
        const sent = counts.reduce((n, day) => n + Object.values(day).reduce((a, b) => a + b, 0), 0);
        expect(drawn).toBe(sent);
        expect(series.length).toBeLessThanOrEqual(SERIES_COLOURS);
        expect(series.every((s) => s.values.length === buckets.labels.length)).toBe(true);
        const named = series.filter((s) => s.name !== "other events").map((s) => totals.get(s.name) ?? 0);
        expect(named).toEqual([...named].sort((a, b) => b - a));
      }),
      { seed: SEED, numRuns: 200 },
    );
  });
});

describe("topCells", () => {
  it("keeps the largest values and merges the rest into (other), keeping the total", () => {
    const cells = [
      { value: "a", installs: 9 },
      { value: "b", installs: 8 },
      { value: "c", installs: 7 },
      { value: OTHER, installs: 6 },
    ];
    expect(topCells(cells, 3)).toEqual(cells);
    expect(topCells(cells, 2)).toEqual([
      { value: "a", installs: 9 },
      { value: "b", installs: 8 },
      { value: OTHER, installs: 13 },
    ]);
  });
});
