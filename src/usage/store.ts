import { foldStatements, lateFor } from "./fold";
import type { ValidatedReport } from "./validate";

/** What became of one accepted report: counted in its period, stored late, or stored already. */
export type ReportFate = "counted" | "late" | "duplicate";

export interface StoreOutcome {
  accepted: number;
  /** Reports already stored for this tenant (a client retry): acknowledged, not counted again. */
  duplicates: number;
  /** Of the accepted, those stored for a closed period: kept, not counted (docs/BILLING.md). */
  late: number;
  /** Each report's fate, in the order given. */
  fates: ReportFate[];
}

/**
 * Stores reports and their aggregates in one D1 transaction. It resolves only once D1 has
 * committed, so a 2xx always means the reports are durable; any failure is a 503 with
 * Retry-After, and since nothing was committed the client's resend is harmless. `countedFrom`
 * is the first day reports can be counted for by the calendar (src/billing/report-bounds.ts):
 * earlier ones are late whatever the billing rows say; without it, the rows alone decide.
 */
export async function storeReports(
  db: D1Database,
  tenantId: string,
  reports: readonly ValidatedReport[],
  receivedAt: number,
  countedFrom = "",
): Promise<StoreOutcome> {
  if (reports.length === 0) return { accepted: 0, duplicates: 0, late: 0, fates: [] };
  const { statements, rawInsertIndexes } = reportStatements(db, tenantId, reports, receivedAt, countedFrom);
  const results = await db.batch<{ late: number }>(statements);
  const fates = rawInsertIndexes.map((index): ReportFate => {
    const [inserted] = results[index]?.results ?? [];
    if (!inserted) return "duplicate";
    return inserted.late ? "late" : "counted";
  });
  const duplicates = fates.filter((fate) => fate === "duplicate").length;
  const late = fates.filter((fate) => fate === "late").length;
  return { accepted: reports.length - duplicates, duplicates, late, fates };
}

// The late counter and the raw insert come after the report's aggregate statements (fold.ts) in
// the same transaction, and each runs only if the report is not stored yet: a resent report adds
// nothing. A late report (its period closed, fold.ts's lateFor) is stored with late = 1 and
// counted in late_usage_reports instead of the aggregates, so the period's figures stay as billed.
const COUNT_LATE = `
INSERT INTO late_usage_reports (tenant_id, day, reports, last_received_at)
SELECT ?1, ?3, 1, ?4
WHERE ${lateFor("?1", "?3", "?5")}
  AND NOT EXISTS (SELECT 1 FROM usage_reports WHERE tenant_id = ?1 AND report_uuid = ?2)
ON CONFLICT (tenant_id, day) DO UPDATE SET
  reports = reports + 1, last_received_at = MAX(last_received_at, excluded.last_received_at)`;

// RETURNING answers a row only when the report was inserted: none means a duplicate.
const INSERT_RAW_REPORT = `
INSERT OR IGNORE INTO usage_reports
  (tenant_id, report_uuid, kind, cluster_name, reporter_hostid, start_time, end_time, hour, received_at, body, late)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ${lateFor("?1", "?11", "?12")})
RETURNING late`;

export interface ReportStatements {
  statements: D1PreparedStatement[];
  /** Index in `statements` of each report's raw insert: no row returned means a duplicate. */
  rawInsertIndexes: number[];
}

/**
 * The statements that store a request's reports and fold them into the tenant's aggregates.
 * Run them with one `db.batch()`, which D1 executes as a single transaction: a report is
 * stored and counted together, or not at all.
 */
export function reportStatements(
  db: D1Database,
  tenantId: string,
  reports: readonly ValidatedReport[],
  receivedAt: number,
  countedFrom: string,
): ReportStatements {
  const statements: D1PreparedStatement[] = [];
  const rawInsertIndexes: number[] = [];
  for (const validated of reports) {
    const { report, day } = validated;
    statements.push(...foldStatements(db, tenantId, validated, { countedFrom }));
    statements.push(db.prepare(COUNT_LATE).bind(tenantId, report.report_uuid, day, receivedAt, countedFrom));
    rawInsertIndexes.push(statements.length);
    statements.push(
      db
        .prepare(INSERT_RAW_REPORT)
        .bind(
          tenantId,
          report.report_uuid,
          report.kind,
          report.cluster_name,
          report.reporter_hostid,
          validated.startMs,
          validated.endMs,
          validated.hour,
          receivedAt,
          JSON.stringify(report),
          day,
          countedFrom,
        ),
    );
  }
  return { statements, rawInsertIndexes };
}
