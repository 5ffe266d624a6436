/**
 * Billing periods and subscription terms, anchored on the day of the month the term starts on.
 * Pure calendar arithmetic on `YYYY-MM-DD` / `YYYY-MM` strings (UTC), no Date: the rules are
 * written down in docs/BILLING.md and property-tested in test/billing/periods.test.ts.
 *
 * - The anchor day is the term start's day of the month (1-31).
 * - The period named `YYYY-MM` starts in that month, on the anchor day, or on the month's last
 *   day when the month is shorter (a term starting on the 31st bills from Feb 28, or 29 in a leap
 *   year). It ends the day before the next month's period starts. So periods tile time with no
 *   gap or overlap, and each month names exactly one period.
 * - Term n (n = 0 for the one starting on term_start; negative before it) covers the `months`
 *   periods from the one starting `n * months` months after term_start's month: terms renew.
 */

import { addMonths, dayBefore, dayIn, daysInMonth, monthsFrom } from "./months";

/** A subscription term as stored on the tenant. */
export interface Term {
  /** First day, `YYYY-MM-DD`; its day of the month anchors every period. */
  start: string;
  /** Length in months (periods), at least 1. */
  months: number;
}

/** A billing period: both days included. */
export interface Period {
  /** `YYYY-MM`, the month it starts in: its name in the API (`?month=`). */
  month: string;
  start: string;
  end: string;
}

/** One term of a tenant: its index from the term start, and its first and last day. */
export interface TermSpan {
  index: number;
  start: string;
  end: string;
}

/** The day of the month the term's periods start on. */
export function anchorDayOf(term: Pick<Term, "start">): number {
  return Number(term.start.slice(8, 10));
}

/** The first day of the period that starts in `month`. */
export function periodStartIn(month: string, anchorDay: number): string {
  return dayIn(month, Math.min(anchorDay, daysInMonth(month)));
}

/** The period that starts in `month`. */
export function periodOf(month: string, anchorDay: number): Period {
  return {
    month,
    start: periodStartIn(month, anchorDay),
    end: dayBefore(periodStartIn(addMonths(month, 1), anchorDay)),
  };
}

/** The period `day` falls in. */
export function periodContaining(day: string, anchorDay: number): Period {
  const month = day.slice(0, 7);
  return day >= periodStartIn(month, anchorDay)
    ? periodOf(month, anchorDay)
    : periodOf(addMonths(month, -1), anchorDay);
}

export function nextPeriod(period: Period, anchorDay: number): Period {
  return periodOf(addMonths(period.month, 1), anchorDay);
}

/** The term a period belongs to (terms renew every `term.months` periods, before and after term.start). */
export function termOf(period: Pick<Period, "month">, term: Term): TermSpan {
  const anchorDay = anchorDayOf(term);
  const firstMonth = term.start.slice(0, 7);
  const index = Math.floor(monthsFrom(firstMonth, period.month) / term.months);
  const startMonth = addMonths(firstMonth, index * term.months);
  return {
    index,
    start: periodStartIn(startMonth, anchorDay),
    end: dayBefore(periodStartIn(addMonths(startMonth, term.months), anchorDay)),
  };
}
