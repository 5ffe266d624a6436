import { z } from "zod";
import { DAY_MS } from "../lib/time";

/**
 * The request-value schemas several features share, each defined once: an RFC 3339 time with
 * its offset, a UTC day, a month, an app name as a request carries it, and the range of days
 * the operator's reads take (stats, the dashboard's pages). The grammar of each lives here, so a
 * day is the same thing in a query string, a body and a page.
 */

/** An RFC 3339 date-time with its offset (`2026-11-20T10:00:00Z`, `…+01:00`). */
export const rfc3339 = z.iso.datetime({ offset: true });

/** A UTC calendar day, `YYYY-MM-DD`. */
export const utcDaySchema = z.iso.date();

/** A billing period is named by the month it starts in, `YYYY-MM`. */
export const monthSchema = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, "must be a month, YYYY-MM");

/** An app as a request names it (the catalogue decides whether it is one). */
export const appName = z.string().min(1).max(128);

/** The longest range of days one read may cover. */
export const MAX_RANGE_DAYS = 366;

/** The days of a range: `from` and `to`, UTC days, both included. */
export const rangeDays = { from: utcDaySchema, to: utcDaySchema };

/** A schema of `rangeDays` (and more), refined: `from` not after `to`, at most MAX_RANGE_DAYS apart. */
export function dayRange<T extends z.ZodType<{ from: string; to: string }>>(schema: T): T {
  return schema
    .refine((q) => q.from <= q.to, { message: "from must not be after to" })
    .refine((q) => (Date.parse(q.to) - Date.parse(q.from)) / DAY_MS < MAX_RANGE_DAYS, {
      message: `the range may span at most ${MAX_RANGE_DAYS} days`,
    });
}
