import { z } from "zod";
import { DAY_MS, utcDay } from "../lib/time";
import { varsReader } from "../lib/vars";
import type { TenantRow } from "../tenants/store";
import { dayAfter, dayBefore } from "./months";
import { anchorDayOf, type Period, periodContaining } from "./periods";

/**
 * What billing decides about a tenant's usage reports, for the code that takes them
 * (src/usage/): from which day they are accepted at all, and before which day they can no
 * longer be counted whatever the billing rows say. The cron (compute.ts) uses the same
 * definitions, so what is accepted and counted is what gets billed.
 *
 * - A tenant's **first period** is the one holding its creation day: the first the cron bills.
 * - Its **billing start** is its term start, or its first period's start if that is earlier
 *   (a term that starts after the tenant was created). Reports from before it are refused.
 * - A period is **final** once it has ended and the grace days have passed. A period before
 *   the first one has no billing row until a counted report gives it one, so its end is judged
 *   by the calendar: a report for it counts only while it is not final, and is stored as late
 *   after that, exactly as if the cron had closed it on time.
 */

/** Days after a period ends before its billing figures become final (wrangler.toml var). */
export const billingGraceDaysOf = varsReader(
  "billing",
  z
    .object({ BILLING_GRACE_DAYS: z.coerce.number().int().nonnegative().max(28).default(3) })
    .transform((v) => v.BILLING_GRACE_DAYS),
);

type TenantDates = Pick<TenantRow, "created_at" | "term_start">;

/** The period holding the tenant's creation day, on its term's anchor day. */
export function firstPeriodOf(tenant: TenantDates): Period {
  return periodContaining(utcDay(tenant.created_at), anchorDayOf({ start: tenant.term_start }));
}

/** The first day the tenant's reports are accepted for (`YYYY-MM-DD`). */
export function billingStartOf(tenant: TenantDates): string {
  const first = firstPeriodOf(tenant).start;
  return tenant.term_start < first ? tenant.term_start : first;
}

/** The moment (ms) a period's figures become final: `graceDays` after the day after its end. */
export function finalFrom(period: Pick<Period, "end">, graceDays: number): number {
  return Date.parse(`${dayAfter(period.end)}T00:00:00Z`) + graceDays * DAY_MS;
}

/**
 * The first day a report received at `now` can still be counted for by the calendar
 * (`YYYY-MM-DD`): the start of the earliest period from the billing start on that is not final
 * and is followed by no final period before the first one. Days before it are late; from it on,
 * the billing rows decide (a closed row makes its days and every earlier one late, fold.ts).
 */
export function countedFromOf(tenant: TenantDates, now: number, graceDays: number): string {
  const anchorDay = anchorDayOf({ start: tenant.term_start });
  const billingStart = billingStartOf(tenant);
  let from = firstPeriodOf(tenant);
  while (from.start > billingStart) {
    const before = periodContaining(dayBefore(from.start), anchorDay);
    if (now >= finalFrom(before, graceDays)) break;
    from = before;
  }
  return from.start;
}
