import type { Context } from "hono";
import { csvDownload, toCsv } from "../http/csv";
import type { TenantRow } from "../tenants/store";
import { billingDetail } from "./detail";

/**
 * A period's evidence as CSV (`GET /v1/billing/usage/export`, the dashboard's download), for a
 * customer to check against its own clusters: each figure, its days and its hours, in total and
 * per cluster (the detail endpoint's series, so the same numbers the figures were averaged
 * from), and every usage report stored for the period's days, by `report_uuid`, counted or late.
 * One table of uniform columns, `record` saying what a line is:
 *
 * - `figure`: `scope` (total or a cluster digest), `figure` (mau, tpr, mwi), `value`;
 * - `day`: the day's `users` and `cumulative_users` (MAU), `tpr_mean`, `mwi_mean`;
 * - `hour`: the hour's `resources` (TPR), `bots`, `bot_instances`, `spiffe_ids` and `mwi`;
 * - `report`: `scope` (its cluster), `day`, `hour`, `report_uuid`, `report_kind`, `start_time`,
 *   `counted` (false: a late report, stored and not counted).
 *
 * Raw reports are kept USAGE_REPORT_RETENTION_DAYS: an older period lists its figures and series
 * but no more reports. The API and the dashboard answer it with the same function, so the two
 * downloads are the same bytes.
 */

export const EXPORT_COLUMNS = [
  "record",
  "scope",
  "day",
  "hour",
  "figure",
  "value",
  "report_uuid",
  "report_kind",
  "start_time",
  "counted",
] as const;

type Line = Partial<Record<(typeof EXPORT_COLUMNS)[number], unknown>>;

type Scope = Awaited<ReturnType<typeof billingDetail>>["total"];

function scopeLines(scope: string, series: Scope): Line[] {
  const lines: Line[] = [];
  for (const figure of ["mau", "tpr", "mwi"] as const)
    lines.push({ record: "figure", scope, figure, value: series[figure] });
  for (const day of series.mau_days) {
    lines.push({ record: "day", scope, day: day.day, figure: "users", value: day.users });
    lines.push({ record: "day", scope, day: day.day, figure: "cumulative_users", value: day.cumulative });
  }
  for (const day of series.tpr_days) {
    lines.push({ record: "day", scope, day: day.day, figure: "tpr_mean", value: day.mean });
    for (const h of day.hours)
      lines.push({ record: "hour", scope, day: day.day, hour: h.hour, figure: "resources", value: h.resources });
  }
  for (const day of series.mwi_days) {
    lines.push({ record: "day", scope, day: day.day, figure: "mwi_mean", value: day.mean });
    for (const h of day.hours) {
      for (const figure of ["bots", "bot_instances", "spiffe_ids", "mwi"] as const) {
        lines.push({ record: "hour", scope, day: day.day, hour: h.hour, figure, value: h[figure] });
      }
    }
  }
  return lines;
}

interface StoredReport {
  report_uuid: string;
  kind: string;
  cluster_name: string;
  hour: string;
  start_time: number;
  late: number;
}

/** The period of `month` as CSV, and the name to save it under. */
export async function exportCsv(db: D1Database, tenant: TenantRow, month: string) {
  const detail = await billingDetail(db, tenant, month);
  const { results } = await db
    .prepare(
      `SELECT report_uuid, kind, cluster_name, hour, start_time, late FROM usage_reports
       WHERE tenant_id = ?1 AND hour BETWEEN ?2 AND ?3 ORDER BY start_time, report_uuid`,
    )
    .bind(tenant.id, `${detail.period_start}T00`, `${detail.period_end}T23`)
    .all<StoredReport>();
  const lines = [
    ...scopeLines("total", detail.total),
    ...detail.clusters.flatMap((cluster) => scopeLines(cluster.cluster_name, cluster)),
    ...results.map(
      (report): Line => ({
        record: "report",
        scope: report.cluster_name,
        day: report.hour.slice(0, 10),
        hour: Number(report.hour.slice(11, 13)),
        report_uuid: report.report_uuid,
        report_kind: report.kind,
        start_time: new Date(report.start_time).toISOString(),
        counted: report.late === 0,
      }),
    ),
  ];
  return {
    filename: `edgehog-usage-${tenant.name}-${month}.csv`,
    csv: toCsv(EXPORT_COLUMNS, lines),
    reports: results.length,
  };
}

/** The period of `month` as a CSV download (the API's answer, and the dashboard's). */
export async function exportDownload(c: Context, db: D1Database, tenant: TenantRow, month: string) {
  const { csv, filename } = await exportCsv(db, tenant, month);
  return csvDownload(c, filename, csv);
}
