import { utcDay } from "../lib/time";
import type { TenantRow } from "../tenants/store";
import { type Contract, FIGURE_NAMES, type FigureName } from "./contracts";
import { addMonths } from "./months";
import { anchorDayOf, type Period, periodContaining } from "./periods";
import { type BillingReportRow, readTenantPeriods } from "./queries";

/**
 * A tenant's figures over its last periods (`GET /v1/billing/usage/history`, the dashboard's
 * trend): the periods starting in the `months` months up to the current one (or the one named
 * by `to`), as the cron stored
 * them (a period without a row, before the tenant's first, is left out), with the highest value
 * of each figure over them: MAU over 3, 6 or 12 months is the MAU figure of each period and its
 * peak.
 */

export const MAX_HISTORY_MONTHS = 36;

export interface History {
  current: Period;
  from: string;
  to: string;
  rows: BillingReportRow[];
  peak: Record<FigureName, number>;
}

/** The `months` periods up to the one starting in `to` (default: the current period at `now`). */
export async function readHistory(
  db: D1Database,
  tenant: TenantRow,
  months: number,
  now: number,
  to?: string,
): Promise<History> {
  const current = periodContaining(utcDay(now), anchorDayOf({ start: tenant.term_start }));
  const last = to ?? current.month;
  const from = addMonths(last, -(months - 1));
  const rows = await readTenantPeriods(db, tenant.id, from, last);
  const peak = Object.fromEntries(
    FIGURE_NAMES.map((figure) => [figure, rows.reduce((n, row) => Math.max(n, row[figure]), 0)]),
  ) as Record<FigureName, number>;
  return { current, from, to: last, rows, peak };
}

/** How much of its contracted quantity a figure is, in percent (one decimal), or null without a contract. */
export function percentOfContract(value: number, contract: Contract | undefined, figure: FigureName): number | null {
  const contracted = contract?.quantities[figure] ?? null;
  return contracted === null ? null : Math.round((value / contracted) * 1000) / 10;
}
