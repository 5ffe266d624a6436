import { utcDay } from "../lib/time";
import { securityFigures } from "./identity-security";
import { dayAfter } from "./months";
import { anchorDayOf, nextPeriod, type Period, periodContaining, type Term, termOf } from "./periods";
import {
  type BillingState,
  deleteOpenRowsOutside,
  FORMULA_VERSION,
  firstReportedDay,
  highWaterBefore,
  latestRow,
  listTenantTerms,
  saveBillingRow,
  type TenantTerm,
} from "./queries";
import { finalFrom, firstPeriodOf } from "./report-bounds";
import { periodSeries } from "./series";
import { mauByOrigin } from "./user-origins";

export interface BillingRunSummary {
  tenants: number;
  /** Period rows written (open periods recomputed, plus periods that became final). */
  periodsComputed: number;
  periodsFinalized: number;
  /** Tenants whose term does not continue from their last final period (fix the term). */
  tenantsSkipped: string[];
}

/**
 * Computes every tenant's billing figures as of `now`. It reads the tenants' terms and the
 * aggregates and writes `billing_usage`, nothing else, so it depends only on (db, now,
 * graceDays): running it twice with the same inputs writes the same rows.
 *
 * For each tenant, the periods (anchored on its term start, periods.ts) from its first one, or
 * the one after its last final period, up to the current one are computed in order, so each
 * period's high-water marks build on the earlier periods of its term. A tenant's first period
 * is the one holding its creation day (or an earlier reported day).
 *
 * A period becomes final once it has ended and `graceDays` more days have passed. It is first
 * marked `closing`, from which moment a report for its days is stored as late instead of being
 * counted (src/usage/fold.ts); its figures are then computed from aggregates that can no longer
 * change and written as `final`, never to be written again. So the final figures are exactly
 * what its series (the detail endpoint, a replay of its raw reports) give. A run that stops
 * between the two steps leaves the row `closing`, and the next run completes it.
 */
export async function computeBilling(db: D1Database, now: number, graceDays: number): Promise<BillingRunSummary> {
  const summary: BillingRunSummary = { tenants: 0, periodsComputed: 0, periodsFinalized: 0, tenantsSkipped: [] };
  const today = utcDay(now);
  for (const tenant of await listTenantTerms(db)) {
    const term: Term = { start: tenant.term_start, months: tenant.term_months };
    const anchorDay = anchorDayOf(term);
    const first = await firstPeriod(db, tenant, anchorDay);
    if (!first) {
      console.error(`billing: tenant ${tenant.id}'s term does not continue from its last final period; skipped`);
      summary.tenantsSkipped.push(tenant.id);
      continue;
    }
    const current = periodContaining(today, anchorDay);
    if (first.start > current.start) continue;
    summary.tenants++;
    // Rows of periods that no longer exist (the anchor day changed) would confuse the high-water marks.
    await deleteOpenRowsOutside(db, tenant.id, first.month, current.month);
    for (let period = first; period.start <= current.start; period = nextPeriod(period, anchorDay)) {
      const due = now >= finalFrom(period, graceDays);
      if (due) await computePeriod(db, tenant.id, period, term, "closing", now);
      await computePeriod(db, tenant.id, period, term, due ? "final" : "open", now);
      summary.periodsComputed++;
      if (due) summary.periodsFinalized++;
    }
  }
  return summary;
}

/**
 * The first period to compute: the one after the last final period, or the tenant's first
 * period (report-bounds.ts), or an earlier one a counted report was for. Null when the term's
 * periods do not start where the last final period ended, which the term endpoint refuses.
 */
async function firstPeriod(db: D1Database, tenant: TenantTerm, anchorDay: number) {
  const lastFinal = await latestRow(db, tenant.id, ["final"]);
  if (lastFinal) {
    const next = dayAfter(lastFinal.period_end);
    const period = periodContaining(next, anchorDay);
    return period.start === next ? period : null;
  }
  const first = firstPeriodOf(tenant);
  const reported = await firstReportedDay(db, tenant.id);
  return reported !== null && reported < first.start ? periodContaining(reported, anchorDay) : first;
}

async function computePeriod(
  db: D1Database,
  tenantId: string,
  period: Period,
  term: Term,
  state: BillingState,
  now: number,
): Promise<void> {
  const [{ total }, origins, security] = await Promise.all([
    periodSeries(db, tenantId, period.start, period.end, false),
    mauByOrigin(db, tenantId, period.start, period.end, false),
    securityFigures(db, tenantId, period.start, period.end, false),
  ]);
  const identity = security.get("");
  const span = termOf(period, term);
  const before = await highWaterBefore(db, tenantId, span.start, period.start);
  await saveBillingRow(db, {
    tenant_id: tenantId,
    month: period.month,
    period_start: period.start,
    period_end: period.end,
    term_start: span.start,
    term_end: span.end,
    mau: total.mau,
    tpr: total.tpr,
    mwi: total.mwi,
    mau_high_water: Math.max(before.mau, total.mau),
    tpr_high_water: Math.max(before.tpr, total.tpr),
    mwi_high_water: Math.max(before.mwi, total.mwi),
    state,
    formula_version: FORMULA_VERSION,
    computed_at: now,
    mau_by_origin: JSON.stringify(origins.get("") ?? {}),
    summaries_generated: identity?.summaries_generated ?? 0,
    summary_input_tokens: identity?.summary_input_tokens ?? 0,
    summary_output_tokens: identity?.summary_output_tokens ?? 0,
    graph_identities: identity?.graph_identities ?? 0,
    graph_resources: identity?.graph_resources ?? 0,
    audit_logs_ingested: identity?.audit_logs_ingested ?? 0,
    identity_security_by_provider: JSON.stringify(identity?.by_provider ?? {}),
  });
}
