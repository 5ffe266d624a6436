/** Time units in milliseconds, and the UTC calendar strings the aggregates are keyed by. */

export const SECOND_MS = 1000;
export const MINUTE_MS = 60 * SECOND_MS;
export const HOUR_MS = 60 * MINUTE_MS;
export const DAY_MS = 24 * HOUR_MS;

/** The UTC day (`YYYY-MM-DD`) of a time in ms. */
export function utcDay(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** A time in ms as ISO 8601 in UTC, as answers and payloads give times; null stays null. */
export function isoTime(ms: number): string;
export function isoTime(ms: number | null): string | null;
export function isoTime(ms: number | null): string | null {
  return ms === null ? null : new Date(ms).toISOString();
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

/** The last day asked of `dayStart`, and its start: a batch's events mostly share their day. */
let lastDayKey = -1;
let lastDayStart = 0;

/** Date.UTC of a day (year ≥ 100, month 1–12), remembered for the next call. */
function dayStart(year: number, month: number, day: number): number {
  const key = (year * 100 + month) * 100 + day;
  if (key !== lastDayKey) {
    lastDayStart = Date.UTC(year, month - 1, day);
    lastDayKey = key;
  }
  return lastDayStart;
}

/**
 * Milliseconds since the epoch of an RFC 3339 date-time that has already been checked
 * (`YYYY-MM-DDTHH:MM:SS[.fraction](Z|±HH:MM)`): the same as `Date.parse` (the fraction is
 * truncated to milliseconds), read from fixed positions, since every event's timestamp goes
 * through it.
 */
export function parseCheckedDateTime(text: string): number {
  const year = digitsAt(text, 0) * 100 + digitsAt(text, 2);
  if (year < 100) return Date.parse(text); // Date.UTC would read 0–99 as 1900–1999
  let end = 19;
  let ms = 0;
  if (text.charCodeAt(19) === 46) {
    end = 20;
    while (end < text.length && text.charCodeAt(end) >= 48 && text.charCodeAt(end) <= 57) end++;
    if (end > 29) return Date.parse(text); // V8 reads more than 9 fraction digits its own way
    for (let i = 20; i < 23; i++) ms = ms * 10 + (i < end ? text.charCodeAt(i) - 48 : 0);
  }
  let time = dayStart(year, digitsAt(text, 5), digitsAt(text, 8)) + digitsAt(text, 11) * HOUR_MS;
  time += digitsAt(text, 14) * MINUTE_MS + digitsAt(text, 17) * SECOND_MS + ms;
  if (text.charCodeAt(end) !== 90) {
    const minutes = digitsAt(text, end + 1) * 60 + digitsAt(text, end + 4);
    time += (text.charCodeAt(end) === 45 ? 1 : -1) * minutes * MINUTE_MS;
  }
  return time;
}

/** The two-digit number at `from`. */
function digitsAt(text: string, from: number): number {
  return (text.charCodeAt(from) - 48) * 10 + text.charCodeAt(from + 1) - 48;
}
