import { describe, expect, it } from "vitest";
import { DAY_MS, daysBetween, utcDay, utcHour } from "../../src/lib/time";

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
