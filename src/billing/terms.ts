import { ApiError } from "../http/errors";
import { utcDay } from "../lib/time";
import { checkTerm, requireTenantByRef } from "../tenants/admin";
import { setTenantTerm, type TenantRow } from "../tenants/store";
import { dayAfter, daysInMonth } from "./months";
import { anchorDayOf, type Period, periodContaining, type TermSpan, termOf } from "./periods";
import { latestRow } from "./queries";

/**
 * Changing a tenant's subscription term (the operator's `POST /v1/admin/tenants/{tenant}/term`,
 * `npm run tenant -- term`). It lives with billing because what may change depends on what has
 * been billed: periods already closed keep their dates, so a new term must continue from the
 * end of the last closed period (its periods must start on the next day). Within that, any
 * start and length: open periods are recomputed with the new term by the next cron run.
 */

export interface TermChange {
  tenant: TenantRow;
  /** The term and period holding today, under the new term. */
  currentTerm: TermSpan;
  currentPeriod: Period;
}

export async function changeTerm(
  db: D1Database,
  ref: string,
  input: { term_start?: string | undefined; term_months?: number | undefined },
  now: number,
): Promise<TermChange> {
  const tenant = await requireTenantByRef(db, ref);
  const term = checkTerm({
    term_start: input.term_start ?? tenant.term_start,
    term_months: input.term_months ?? tenant.term_months,
  });
  const closed = await latestRow(db, tenant.id, ["closing", "final"]);
  if (closed) {
    const next = dayAfter(closed.period_end);
    if (periodContaining(next, anchorDayOf({ start: term.term_start })).start !== next) {
      const date = Number(next.slice(8, 10));
      const orLater = date === daysInMonth(next.slice(0, 7)) ? " or later" : "";
      throw new ApiError(
        "term_conflict",
        `billing is closed through ${closed.period_end}, so the next period must start on ${next}: ` +
          `choose a term start on day ${date}${orLater} of a month`,
      );
    }
  }
  await setTenantTerm(db, tenant.id, term);
  const currentPeriod = periodContaining(utcDay(now), anchorDayOf({ start: term.term_start }));
  return {
    tenant: { ...tenant, ...term },
    currentTerm: termOf(currentPeriod, { start: term.term_start, months: term.term_months }),
    currentPeriod,
  };
}
