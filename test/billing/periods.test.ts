import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { addMonths, dayAfter, dayBefore, daysInMonth } from "../../src/billing/months";
import { nextPeriod, periodContaining, periodOf, termOf } from "../../src/billing/periods";
import { DAY_MS, utcDay } from "../../src/lib/time";

/**
 * Billing periods anchored on a term start day (docs/BILLING.md, "Periods and terms"), checked
 * against Date's calendar over six centuries of months, leap years included.
 */

const SEED = 20260415;
const runs = { seed: SEED, numRuns: 500 };

const dayMs = (day: string) => Date.parse(`${day}T00:00:00Z`);
const daysBetween = (from: string, to: string) => (dayMs(to) - dayMs(from)) / DAY_MS;

const anchorDay = fc.integer({ min: 1, max: 31 });
/** A month from 1900-01 to 2499-12. */
const month = fc.integer({ min: 1900 * 12, max: 2500 * 12 - 1 }).map((i) => addMonths("0000-01", i));
/** Any day from 1900-01-01 on, as Date writes it. */
const day = fc.integer({ min: 0, max: 600 * 366 }).map((n) => utcDay(Date.UTC(1900, 0, 1) + n * DAY_MS));

describe("calendar arithmetic", () => {
  it("agrees with Date on month lengths and neighbouring days", () => {
    fc.assert(
      fc.property(day, (d) => {
        expect(dayAfter(d)).toBe(utcDay(dayMs(d) + DAY_MS));
        expect(dayBefore(d)).toBe(utcDay(dayMs(d) - DAY_MS));
        const m = d.slice(0, 7);
        expect(daysInMonth(m)).toBe(daysBetween(`${m}-01`, `${addMonths(m, 1)}-01`));
      }),
      runs,
    );
  });
});

describe("billing periods", () => {
  it("start in their month on the anchor day, or on the month's last day when it is shorter", () => {
    fc.assert(
      fc.property(month, anchorDay, (m, anchor) => {
        const period = periodOf(m, anchor);
        expect(period.month).toBe(m);
        expect(period.start.slice(0, 7)).toBe(m);
        expect(Number(period.start.slice(8))).toBe(Math.min(anchor, daysInMonth(m)));
      }),
      runs,
    );
  });

  it("tile time: each ends the day before the next starts, and lasts 28 to 31 days", () => {
    fc.assert(
      fc.property(month, anchorDay, (m, anchor) => {
        const period = periodOf(m, anchor);
        const next = nextPeriod(period, anchor);
        expect(dayAfter(period.end)).toBe(next.start);
        const days = daysBetween(period.start, period.end) + 1;
        expect(days).toBeGreaterThanOrEqual(28);
        expect(days).toBeLessThanOrEqual(31);
      }),
      runs,
    );
  });

  it("put every day in exactly one period, the one periodContaining names", () => {
    fc.assert(
      fc.property(day, anchorDay, (d, anchor) => {
        const period = periodContaining(d, anchor);
        expect(period.start <= d && d <= period.end).toBe(true);
        // Neither neighbour holds the day: no overlap.
        const before = periodOf(addMonths(period.month, -1), anchor);
        const after = periodOf(addMonths(period.month, 1), anchor);
        expect(before.end < d).toBe(true);
        expect(after.start > d).toBe(true);
      }),
      runs,
    );
  });

  it("handle a term starting on the 31st through a leap February as documented", () => {
    const table = ["2024-01", "2024-02", "2024-03", "2024-04", "2025-02"].map((m) => {
      const p = periodOf(m, 31);
      return [p.month, p.start, p.end, daysBetween(p.start, p.end) + 1];
    });
    expect(table).toEqual([
      ["2024-01", "2024-01-31", "2024-02-28", 29],
      ["2024-02", "2024-02-29", "2024-03-30", 31],
      ["2024-03", "2024-03-31", "2024-04-29", 30],
      ["2024-04", "2024-04-30", "2024-05-30", 31],
      ["2025-02", "2025-02-28", "2025-03-30", 31],
    ]);
    // A term starting on the 15th bills the 15th to the 14th.
    expect(periodContaining("2026-05-14", 15)).toEqual({ month: "2026-04", start: "2026-04-15", end: "2026-05-14" });
  });
});

describe("subscription terms", () => {
  const termStart = fc.tuple(fc.integer({ min: 1970 * 12, max: 2400 * 12 }), anchorDay).map(([i, anchor]) => {
    const m = addMonths("0000-01", i);
    return `${m}-${String(Math.min(anchor, daysInMonth(m))).padStart(2, "0")}`;
  });
  const months = fc.integer({ min: 1, max: 120 });

  it("start on the term start, hold `months` periods each, and renew without gaps, before and after", () => {
    fc.assert(
      fc.property(termStart, months, fc.integer({ min: -300, max: 300 }), (start, length, offset) => {
        const term = { start, months: length };
        const anchor = Number(start.slice(8));
        expect(periodContaining(start, anchor).start).toBe(start);
        expect(termOf(periodContaining(start, anchor), term)).toMatchObject({ index: 0, start });

        const period = periodOf(addMonths(start.slice(0, 7), offset), anchor);
        const span = termOf(period, term);
        expect(span.start <= period.start && period.end <= span.end).toBe(true);
        expect(span.index).toBe(Math.floor(offset / length));
        // The term's first period starts on its first day, and its last one ends on its last day.
        const first = periodContaining(span.start, anchor);
        expect(first.start).toBe(span.start);
        expect(periodOf(addMonths(first.month, length - 1), anchor).end).toBe(span.end);
        // The next term starts the next day.
        expect(termOf(periodOf(addMonths(first.month, length), anchor), term).start).toBe(dayAfter(span.end));
      }),
      runs,
    );
  });
});
