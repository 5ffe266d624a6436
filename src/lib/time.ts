/** Time units in milliseconds, and the UTC calendar strings the aggregates are keyed by. */

export const SECOND_MS = 1000;
export const MINUTE_MS = 60 * SECOND_MS;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** The UTC day (`YYYY-MM-DD`) of a time in ms. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** The UTC hour (`YYYY-MM-DDTHH`) of a time in ms. */
export function utcHour(ms: number): string {
  return new Date(ms).toISOString().slice(0, 13);
}

/** Every UTC day from `from` to `to` (`YYYY-MM-DD`), both included. */
export function daysBetween(from: string, to: string): string[] {
  const days: string[] = [];
  for (let t = Date.parse(`${from}T00:00:00Z`); t <= Date.parse(`${to}T00:00:00Z`); t += DAY_MS) days.push(utcDay(t));
  return days;
}

/**
 * Milliseconds since the epoch of an RFC 3339 date-time that has already been checked
 * (`YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`): the same as `Date.parse` (the fraction is
 * truncated to milliseconds), read from fixed positions, since every event's timestamp goes
 * through it.
 */
export function parseCheckedDateTime(text: string): number {
  const digits = (from: number, count: number) => {
    let n = 0;
    for (let i = from; i < from + count; i++) n = n * 10 + text.charCodeAt(i) - 48;
    return n;
  };
  const year = digits(0, 4);
  if (year < 100) return Date.parse(text); // Date.UTC would read 0–99 as 1900–1999
  let end = 19;
  let ms = 0;
  if (text.charCodeAt(19) === 46) {
    end = 20;
    while (end < text.length && text.charCodeAt(end) >= 48 && text.charCodeAt(end) <= 57) end++;
    if (end > 29) return Date.parse(text); // V8 reads more than 9 fraction digits its own way
    for (let i = 20; i < 23; i++) ms = ms * 10 + (i < end ? text.charCodeAt(i) - 48 : 0);
  }
  let time = Date.UTC(year, digits(5, 2) - 1, digits(8, 2), digits(11, 2), digits(14, 2), digits(17, 2), ms);
  if (text.charCodeAt(end) !== 90) {
    const minutes = digits(end + 1, 2) * 60 + digits(end + 4, 2);
    time += (text.charCodeAt(end) === 45 ? 1 : -1) * minutes * MINUTE_MS;
  }
  return time;
}
