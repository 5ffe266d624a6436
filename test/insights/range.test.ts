import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { previousRange, weekRange } from "../../src/insights/range";
import { DAY_MS, utcDay } from "../../src/lib/time";

/**
 * Insights answer over whole weeks: any range asked for is widened to the Monday before its
 * first day and the Sunday after its last, by less than a week on each side, so two answers
 * differ by whole weeks (the differencing bound, docs/SECURITY.md); the previous period is the
 * same number of whole weeks just before.
 */
describe("insight ranges", () => {
  it("are the whole weeks a range touches, and the previous period the weeks before", () => {
    fc.assert(
      fc.property(fc.integer({ min: 15_000, max: 25_000 }), fc.integer({ min: 0, max: 365 }), (start, length) => {
        const from = utcDay(start * DAY_MS);
        const to = utcDay((start + length) * DAY_MS);
        const range = weekRange(from, to);
        expect(new Date(range.from).getUTCDay()).toBe(1);
        expect(new Date(range.to).getUTCDay()).toBe(0);
        expect(range.from <= from && to <= range.to).toBe(true);
        expect((Date.parse(from) - Date.parse(range.from)) / DAY_MS).toBeLessThan(7);
        expect((Date.parse(range.to) - Date.parse(to)) / DAY_MS).toBeLessThan(7);
        expect(range.days % 7).toBe(0);
        expect(range.days).toBe((Date.parse(range.to) - Date.parse(range.from)) / DAY_MS + 1);
        const previous = previousRange(range);
        expect([previous.days, utcDay(Date.parse(previous.to) + DAY_MS)]).toEqual([range.days, range.from]);
      }),
      { seed: 20261207, numRuns: 500 },
    );
  });
});
