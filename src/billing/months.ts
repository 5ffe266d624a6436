/** UTC calendar months as `YYYY-MM` strings (four-digit years, so they sort as they compare). */

export function monthOf(ms: number): string {
  return new Date(ms).toISOString().slice(0, 7);
}

/** Midnight UTC of the month's first day, in ms. */
export function monthStart(month: string): number {
  return Date.parse(`${month}-01T00:00:00Z`);
}

export function nextMonth(month: string): string {
  const [year, mon] = month.split("-").map(Number) as [number, number];
  const [y, m] = mon === 12 ? [year + 1, 1] : [year, mon + 1];
  return `${String(y).padStart(4, "0")}-${String(m).padStart(2, "0")}`;
}

/** Every month from `first` to `last`, both included (empty if `first` is after `last`). */
export function monthsBetween(first: string, last: string): string[] {
  const months: string[] = [];
  for (let month = first; month <= last; month = nextMonth(month)) months.push(month);
  return months;
}
