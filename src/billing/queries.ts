/**
 * Typed D1 queries for the billing rows (`billing_usage`): one row per tenant and period, named
 * by the month the period starts in. The series the figures come from are in series.ts.
 */

export interface Figures {
  mau: number;
  tpr: number;
  mwi: number;
}

/** open: recomputed every run; closing: being made final (its days' reports are late); final: never written again. */
export type BillingState = "open" | "closing" | "final";

/** Rows computed with today's formulas (docs/BILLING.md); 1 marks rows from before migration 0004. */
export const FORMULA_VERSION = 2;

/** Identity Security's figures and MAU by origin as a row stores them (the maps as JSON text). */
export interface SecurityColumns {
  /** JSON: origin → users (they add up to mau). */
  mau_by_origin: string;
  summaries_generated: number;
  summary_input_tokens: number;
  summary_output_tokens: number;
  graph_identities: number;
  graph_resources: number;
  audit_logs_ingested: number;
  /** JSON: provider → { identities, resources, logs_ingested }. */
  identity_security_by_provider: string;
}

export const SECURITY_COLUMNS = [
  "mau_by_origin",
  "summaries_generated",
  "summary_input_tokens",
  "summary_output_tokens",
  "graph_identities",
  "graph_resources",
  "audit_logs_ingested",
  "identity_security_by_provider",
] as const satisfies readonly (keyof SecurityColumns)[];

export interface BillingRow extends Figures, SecurityColumns {
  tenant_id: string;
  month: string;
  /** First and last day of the period (both included). */
  period_start: string;
  period_end: string;
  /** First and last day of the term the high-water marks run over (null in formula_version 1 rows). */
  term_start: string | null;
  term_end: string | null;
  mau_high_water: number;
  tpr_high_water: number;
  mwi_high_water: number;
  state: BillingState;
  formula_version: number;
  computed_at: number;
}

const COLUMNS = [
  "tenant_id",
  "month",
  "period_start",
  "period_end",
  "term_start",
  "term_end",
  "mau",
  "tpr",
  "mwi",
  "mau_high_water",
  "tpr_high_water",
  "mwi_high_water",
  "state",
  "formula_version",
  "computed_at",
  ...SECURITY_COLUMNS,
] as const satisfies readonly (keyof BillingRow)[];
const ROW_COLUMNS = COLUMNS.join(", ");

export interface TenantTerm {
  id: string;
  created_at: number;
  term_start: string;
  term_months: number;
}

export async function listTenantTerms(db: D1Database): Promise<TenantTerm[]> {
  const { results } = await db
    .prepare("SELECT id, created_at, term_start, term_months FROM tenants ORDER BY id")
    .all<TenantTerm>();
  return results;
}

/** The first UTC day the tenant has a counted report for, if any. */
export async function firstReportedDay(db: D1Database, tenantId: string): Promise<string | null> {
  const row = await db
    .prepare("SELECT MIN(day) AS day FROM tenant_reported_hours WHERE tenant_id = ?1")
    .bind(tenantId)
    .first<{ day: string | null }>();
  return row?.day ?? null;
}

/** The tenant's latest row in one of `states`, by period. */
export async function latestRow(
  db: D1Database,
  tenantId: string,
  states: readonly BillingState[],
): Promise<BillingRow | null> {
  return db
    .prepare(
      `SELECT ${ROW_COLUMNS} FROM billing_usage
       WHERE tenant_id = ?1 AND state IN (SELECT value FROM json_each(?2))
       ORDER BY period_start DESC LIMIT 1`,
    )
    .bind(tenantId, JSON.stringify(states))
    .first<BillingRow>();
}

export async function readBillingRow(db: D1Database, tenantId: string, month: string): Promise<BillingRow | null> {
  return db
    .prepare(`SELECT ${ROW_COLUMNS} FROM billing_usage WHERE tenant_id = ?1 AND month = ?2`)
    .bind(tenantId, month)
    .first<BillingRow>();
}

/**
 * Deletes the tenant's open rows outside the months `firstMonth` to `lastMonth`: rows of
 * periods that no longer exist since the term's anchor day changed.
 */
export async function deleteOpenRowsOutside(db: D1Database, tenantId: string, firstMonth: string, lastMonth: string) {
  await db
    .prepare("DELETE FROM billing_usage WHERE tenant_id = ?1 AND state = 'open' AND (month < ?2 OR month > ?3)")
    .bind(tenantId, firstMonth, lastMonth)
    .run();
}

/** The highest figures of the tenant's periods starting from `termStart` and before `periodStart`. */
export async function highWaterBefore(
  db: D1Database,
  tenantId: string,
  termStart: string,
  periodStart: string,
): Promise<Figures> {
  const row = await db
    .prepare(
      `SELECT MAX(mau) AS mau, MAX(tpr) AS tpr, MAX(mwi) AS mwi FROM billing_usage
       WHERE tenant_id = ?1 AND period_start >= ?2 AND period_start < ?3`,
    )
    .bind(tenantId, termStart, periodStart)
    .first<{ mau: number | null; tpr: number | null; mwi: number | null }>();
  return { mau: row?.mau ?? 0, tpr: row?.tpr ?? 0, mwi: row?.mwi ?? 0 };
}

/** Writes a period's row unless that row is already final: final figures never change. */
const UPSERT = `INSERT INTO billing_usage (${ROW_COLUMNS})
VALUES (${COLUMNS.map((_, i) => `?${i + 1}`).join(", ")})
ON CONFLICT (tenant_id, month) DO UPDATE SET
  ${COLUMNS.filter((column) => column !== "tenant_id" && column !== "month")
    .map((column) => `${column} = excluded.${column}`)
    .join(", ")}
WHERE billing_usage.state <> 'final'`;

export async function saveBillingRow(db: D1Database, row: BillingRow): Promise<void> {
  await db
    .prepare(UPSERT)
    .bind(...COLUMNS.map((column) => row[column]))
    .run();
}

export interface LateReports {
  /** Reports for the period's days that arrived once it was closed: stored, not counted. */
  late_reports: number;
  /** When the last of them arrived (ms), or null. */
  last_late_report_at: number | null;
}

const LATE_FOR_ROW = `
  (SELECT COALESCE(SUM(l.reports), 0) FROM late_usage_reports AS l
   WHERE l.tenant_id = b.tenant_id AND l.day BETWEEN b.period_start AND b.period_end) AS late_reports,
  (SELECT MAX(l.last_received_at) FROM late_usage_reports AS l
   WHERE l.tenant_id = b.tenant_id AND l.day BETWEEN b.period_start AND b.period_end) AS last_late_report_at`;

export interface BillingReportRow extends BillingRow, LateReports {
  tenant_name: string;
  final: boolean;
}

/** A month's rows, for every tenant or for one, with their late-report counts. */
export async function readBillingUsage(db: D1Database, month: string, tenantId?: string): Promise<BillingReportRow[]> {
  const { results } = await db
    .prepare(
      `SELECT ${COLUMNS.map((column) => `b.${column}`).join(", ")}, t.name AS tenant_name, ${LATE_FOR_ROW}
       FROM billing_usage AS b JOIN tenants AS t ON t.id = b.tenant_id
       WHERE b.month = ?1 AND (?2 IS NULL OR b.tenant_id = ?2)
       ORDER BY t.name`,
    )
    .bind(month, tenantId ?? null)
    .all<BillingRow & LateReports & { tenant_name: string }>();
  return results.map((row) => ({ ...row, final: row.state === "final" }));
}

/** Late reports for the days `first` to `last` of a tenant. */
export async function lateReportsBetween(
  db: D1Database,
  tenantId: string,
  first: string,
  last: string,
): Promise<LateReports> {
  const row = await db
    .prepare(
      `SELECT COALESCE(SUM(reports), 0) AS late_reports, MAX(last_received_at) AS last_late_report_at
       FROM late_usage_reports WHERE tenant_id = ?1 AND day BETWEEN ?2 AND ?3`,
    )
    .bind(tenantId, first, last)
    .first<LateReports>();
  return { late_reports: row?.late_reports ?? 0, last_late_report_at: row?.last_late_report_at ?? null };
}

/** A tenant's rows of the periods starting in `fromMonth` to `toMonth`, oldest first, with their late reports. */
export async function readTenantPeriods(
  db: D1Database,
  tenantId: string,
  fromMonth: string,
  toMonth: string,
): Promise<BillingReportRow[]> {
  const { results } = await db
    .prepare(
      `SELECT ${COLUMNS.map((column) => `b.${column}`).join(", ")}, t.name AS tenant_name, ${LATE_FOR_ROW}
       FROM billing_usage AS b JOIN tenants AS t ON t.id = b.tenant_id
       WHERE b.tenant_id = ?1 AND b.month BETWEEN ?2 AND ?3
       ORDER BY b.month`,
    )
    .bind(tenantId, fromMonth, toMonth)
    .all<BillingRow & LateReports & { tenant_name: string }>();
  return results.map((row) => ({ ...row, final: row.state === "final" }));
}
