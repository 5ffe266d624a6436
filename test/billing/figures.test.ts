import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { averageOverDays, cumulativeUsers, type HourCount } from "../../src/billing/figures";

/** hours → day → period averaging, and its rounding: half up, from the exact mean. */

const runs = { seed: 4242, numRuns: 300 };

/** Days of a period, each with its reported hours and their counts. */
const periodHours = fc.dictionary(
  fc.integer({ min: 1, max: 31 }).map((d) => `2026-05-${String(d).padStart(2, "0")}`),
  fc.uniqueArray(fc.record({ hour: fc.integer({ min: 0, max: 23 }), count: fc.integer({ min: 0, max: 5_000 }) }), {
    minLength: 1,
    maxLength: 24,
    selector: (h) => h.hour,
  }),
  { minKeys: 1, maxKeys: 31 },
);

/**
 * The exact mean of the daily means as P / Q, with Q the product of every denominator: no
 * reduction, no shared code with the implementation.
 */
function exactMean(days: HourCount[][]): { p: bigint; q: bigint } {
  const q = days.reduce((product, hours) => product * BigInt(hours.length), BigInt(days.length));
  const p = days.reduce((sum, hours) => {
    const total = BigInt(hours.reduce((n, h) => n + h.count, 0));
    return sum + (total * q) / (BigInt(hours.length) * BigInt(days.length));
  }, 0n);
  return { p, q };
}

describe("averageOverDays", () => {
  it("gives the exact mean of the daily means, rounded half up to two decimals", () => {
    fc.assert(
      fc.property(periodHours, (record) => {
        const days = new Map(Object.entries(record));
        const { figure, days: means } = averageOverDays(days);
        const k = BigInt(Math.round(figure * 100));
        expect(figure).toBe(Number(k) / 100);
        // k is the rounding of 100·P/Q half up: 2k − 1 ≤ 200·P/Q < 2k + 1.
        const { p, q } = exactMean([...days.values()]);
        expect((2n * k - 1n) * q <= 200n * p && 200n * p < (2n * k + 1n) * q).toBe(true);
        // Each day's mean is the mean of its hours, listed in order.
        for (const day of means) {
          const hours = days.get(day.day) ?? [];
          expect(day.hours.map((h) => h.hour)).toEqual(hours.map((h) => h.hour).sort((a, b) => a - b));
          expect(day.mean).toBeCloseTo(hours.reduce((n, h) => n + h.count, 0) / hours.length, 9);
        }
      }),
      runs,
    );
  });

  it("rounds a mean of exactly x.xx5 up, where floating point would round it down", () => {
    // 24 days with a mean of 1 and one of 9/8: (24 + 1.125) / 25 = 1.005, which as a double is
    // 1.00499…, so Math.round(100 × 1.005) / 100 gives 1.
    const days = new Map<string, HourCount[]>();
    for (let d = 1; d <= 25; d++) {
      const counts = d === 25 ? [2, 1, 1, 1, 1, 1, 1, 1] : [1, 1, 1, 1, 1, 1, 1, 1];
      days.set(
        `2026-05-${String(d).padStart(2, "0")}`,
        counts.map((count, hour) => ({ hour, count })),
      );
    }
    expect(Math.round(((24 + 9 / 8) / 25) * 100) / 100).toBe(1);
    expect(averageOverDays(days).figure).toBe(1.01);
    expect(
      averageOverDays(
        new Map([
          ["2026-05-01", [{ hour: 3, count: 1 }, ...[0, 1, 2, 4, 5, 6, 7].map((hour) => ({ hour, count: 0 }))]],
        ]),
      ).figure,
    ).toBe(0.13);
  });

  it("is 0 for a period without a reported hour", () => {
    expect(averageOverDays(new Map())).toEqual({ days: [], figure: 0 });
  });
});

describe("cumulativeUsers", () => {
  it("runs the count of users first seen each day, in day order", () => {
    const perDay = new Map([
      ["2026-05-03", 2],
      ["2026-05-01", 3],
      ["2026-05-02", 1],
    ]);
    const firstSeen = new Map([
      ["2026-05-01", 3],
      ["2026-05-03", 1],
    ]);
    expect(cumulativeUsers(perDay, firstSeen)).toEqual({
      days: [
        { day: "2026-05-01", users: 3, cumulative: 3 },
        { day: "2026-05-02", users: 1, cumulative: 3 },
        { day: "2026-05-03", users: 2, cumulative: 4 },
      ],
      mau: 4,
    });
  });
});
