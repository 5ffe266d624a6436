import { z } from "zod";
import { DAY_MS } from "../lib/time";
import { varsReader } from "../lib/vars";
import { monthOf, monthStart, monthsBetween, nextMonth } from "./months";
import { billingProgress, highWaterBefore, listTenantIds, monthFigures, saveBillingRow } from "./queries";

/** Days after a month ends before its billing figures become final (wrangler.toml var). */
export const billingGraceDaysOf = varsReader(
  "billing",
  z
    .object({ BILLING_GRACE_DAYS: z.coerce.number().int().nonnegative().max(28).default(3) })
    .transform((v) => v.BILLING_GRACE_DAYS),
);

export interface BillingRunSummary {
  tenants: number;
  /** Month rows written (open months recomputed, plus months that became final). */
  monthsComputed: number;
  monthsFinalized: number;
}

/**
 * Computes every tenant's monthly billing figures as of `now`. It reads the aggregates and
 * writes `billing_usage`, nothing else, so it depends only on (db, now, graceDays): running
 * it twice with the same inputs writes the same rows.
 *
 * For each tenant, the months from its first reported month (or the month after its last
 * final month) up to the current month are computed in order, so each month's high-water
 * mark can build on the months before it. A month becomes final once it has ended and
 * `graceDays` more days have passed (late reports may still arrive); its row is then never
 * written again, so late reports after that do not change what was billed.
 */
export async function computeBilling(db: D1Database, now: number, graceDays: number): Promise<BillingRunSummary> {
  const summary: BillingRunSummary = { tenants: 0, monthsComputed: 0, monthsFinalized: 0 };
  const currentMonth = monthOf(now);
  for (const tenantId of await listTenantIds(db)) {
    const progress = await billingProgress(db, tenantId);
    if (!progress.firstReportMonth) continue;
    summary.tenants++;
    const from = progress.lastFinalMonth ? nextMonth(progress.lastFinalMonth) : progress.firstReportMonth;
    for (const month of monthsBetween(from, currentMonth)) {
      const next = nextMonth(month);
      const final = now >= monthStart(next) + graceDays * DAY_MS;
      const figures = await monthFigures(db, tenantId, `${month}-01`, `${next}-01`);
      const tpr = roundTpr(figures.tpr);
      const before = await highWaterBefore(db, tenantId, month);
      await saveBillingRow(db, {
        tenant_id: tenantId,
        month,
        mau: figures.mau,
        tpr,
        mwi: figures.mwi,
        mau_high_water: Math.max(before.mau, figures.mau),
        tpr_high_water: Math.max(before.tpr, tpr),
        mwi_high_water: Math.max(before.mwi, figures.mwi),
        final,
        computed_at: now,
      });
      summary.monthsComputed++;
      if (final) summary.monthsFinalized++;
    }
  }
  return summary;
}

/** TPR is an average: two decimals keep it readable and free of floating-point noise. */
function roundTpr(tpr: number): number {
  return Math.round(tpr * 100) / 100;
}
