import type { TenantRow } from "../tenants/store";
import { type SecurityFigures, securityFigures } from "./identity-security";
import { anchorDayOf, periodOf, termOf } from "./periods";
import { lateReportsBetween, readBillingRow } from "./queries";
import { periodSeries, type ScopeSeries } from "./series";
import { mauByOrigin, type OriginCounts } from "./user-origins";

/**
 * How a period's figures were reached, for an operator to show a customer
 * (`GET /v1/billing/usage/detail`): the stored row as billed, and the series the figures are
 * averaged from, in total and per cluster. For a final period computed with today's formulas
 * (formula_version 2) the series' figures equal the stored ones: reports that arrive once a
 * period is closed are counted as late, never folded into its aggregates.
 */

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

function scopeJson(series: ScopeSeries, origins: OriginCounts | undefined, security: SecurityFigures | undefined) {
  return {
    mau: series.mau,
    mau_by_origin: origins ?? {},
    tpr: series.tpr,
    mwi: series.mwi,
    mau_days: series.mau_days,
    tpr_days: series.tpr_days.map((day) => ({
      day: day.day,
      mean: day.mean,
      hours: day.hours.map((h) => ({ hour: h.hour, resources: h.count })),
    })),
    mwi_days: series.mwi_days.map((day) => ({
      day: day.day,
      mean: day.mean,
      hours: day.hours.map((h) => ({
        hour: h.hour,
        bots: h.bots,
        bot_instances: h.bot_instances,
        spiffe_ids: h.spiffe_ids,
        mwi: h.count,
      })),
    })),
    identity_security: security && {
      ...security,
      graph_days: security.graph_days.map((day) => ({
        day: day.day,
        mean_identities: day.mean,
        hours: day.hours.map((h) => ({ hour: h.hour, identities: h.count, resources: h.resources })),
      })),
    },
  };
}

export async function billingDetail(db: D1Database, tenant: TenantRow, month: string) {
  const stored = await readBillingRow(db, tenant.id, month);
  const term = { start: tenant.term_start, months: tenant.term_months };
  // A stored row keeps the dates it was computed for; a period without one follows the current term.
  const period = stored
    ? { month, start: stored.period_start, end: stored.period_end }
    : periodOf(month, anchorDayOf(term));
  const span =
    stored?.term_start && stored.term_end ? { start: stored.term_start, end: stored.term_end } : termOf(period, term);
  const [series, late, origins, security] = await Promise.all([
    periodSeries(db, tenant.id, period.start, period.end, true),
    lateReportsBetween(db, tenant.id, period.start, period.end),
    mauByOrigin(db, tenant.id, period.start, period.end, true),
    securityFigures(db, tenant.id, period.start, period.end, true),
  ]);
  return {
    tenant_id: tenant.id,
    tenant_name: tenant.name,
    month,
    period_start: period.start,
    period_end: period.end,
    term_start: span.start,
    term_end: span.end,
    stored: stored && {
      mau: stored.mau,
      tpr: stored.tpr,
      mwi: stored.mwi,
      mau_high_water: stored.mau_high_water,
      tpr_high_water: stored.tpr_high_water,
      mwi_high_water: stored.mwi_high_water,
      state: stored.state,
      final: stored.state === "final",
      formula_version: stored.formula_version,
      computed_at: iso(stored.computed_at),
      mau_by_origin: JSON.parse(stored.mau_by_origin) as OriginCounts,
      summaries_generated: stored.summaries_generated,
      summary_input_tokens: stored.summary_input_tokens,
      summary_output_tokens: stored.summary_output_tokens,
      graph_identities: stored.graph_identities,
      graph_resources: stored.graph_resources,
      audit_logs_ingested: stored.audit_logs_ingested,
      identity_security_by_provider: JSON.parse(stored.identity_security_by_provider) as Record<string, unknown>,
    },
    late_reports: late.late_reports,
    last_late_report_at: iso(late.last_late_report_at),
    total: scopeJson(series.total, origins.get(""), security.get("")),
    clusters: series.clusters.map((cluster) => ({
      cluster_name: cluster.cluster_name,
      ...scopeJson(cluster, origins.get(cluster.cluster_name), security.get(cluster.cluster_name)),
    })),
  };
}
