/**
 * UTC calendar arithmetic on `YYYY-MM` months and `YYYY-MM-DD` days (four-digit years, so the
 * strings sort as they compare), without Date: periods (periods.ts) are built from it.
 */

const pad = (n: number, width: number) => String(n).padStart(width, "0");

export function monthOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 7);
}

/** Midnight UTC of the month's first day, in ms. */
export function monthStart(month: string): number {
  return Date.parse(`${month}-01T00:00:00Z`);
}

/** Months since year 0 (year × 12 + month − 1), so months can be counted and compared. */
function monthIndex(month: string): number {
  return Number(month.slice(0, 4)) * 12 + Number(month.slice(5, 7)) - 1;
}

export function addMonths(month: string, n: number): string {
  const index = monthIndex(month) + n;
  return `${pad(Math.floor(index / 12), 4)}-${pad((index % 12) + 1, 2)}`;
}

export function nextMonth(month: string): string {
  return addMonths(month, 1);
}

/** Months from `from` to `to` (negative when `to` is earlier). */
export function monthsFrom(from: string, to: string): number {
  return monthIndex(to) - monthIndex(from);
}

function isLeapYear(year: number): boolean {
  return (year % 4 === 0 && year % 100 !== 0) || year % 400 === 0;
}

export function daysInMonth(month: string): number {
  const mon = Number(month.slice(5, 7));
  if (mon === 2) return isLeapYear(Number(month.slice(0, 4))) ? 29 : 28;
  return [4, 6, 9, 11].includes(mon) ? 30 : 31;
}

/** The month's `date`-th day (1-based; the caller keeps it within the month). */
export function dayIn(month: string, date: number): string {
  return `${month}-${pad(date, 2)}`;
}

export function dayBefore(day: string): string {
  const date = Number(day.slice(8, 10));
  if (date > 1) return dayIn(day.slice(0, 7), date - 1);
  const previous = addMonths(day.slice(0, 7), -1);
  return dayIn(previous, daysInMonth(previous));
}

export function dayAfter(day: string): string {
  const month = day.slice(0, 7);
  const date = Number(day.slice(8, 10));
  return date < daysInMonth(month) ? dayIn(month, date + 1) : dayIn(addMonths(month, 1), 1);
}
