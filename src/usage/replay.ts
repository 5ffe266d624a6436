import { foldStatements } from "./fold";
import { reportSchema } from "./schema";

/**
 * Rebuilding a tenant's aggregates from its stored raw reports, through the same statements
 * that folded them when they arrived (fold.ts). This is how the billing figures are shown to be
 * reproducible: clear a range of days, replay its reports, and the figures come out identical
 * (test/billing/reproduce.test.ts). Late reports (stored once their period was closed) are
 * skipped, as they were when they arrived. Raw reports are kept USAGE_REPORT_RETENTION_DAYS, so
 * a range older than that can no longer be rebuilt.
 */

const AGGREGATE_TABLES = [
  "tenant_reported_hours",
  "tenant_daily_users",
  "tenant_daily_resources",
  "tenant_daily_workloads",
  "tenant_daily_usage_sums",
  "tenant_hourly_graph_sizes",
];

/** Reports replayed per D1 batch: bodies are up to 600 kB each. */
const REPLAY_PAGE = 10;

/** Deletes the tenant's aggregates for the days `firstDay` to `lastDay` (both included). */
export async function clearAggregates(db: D1Database, tenantId: string, firstDay: string, lastDay: string) {
  await db.batch(
    AGGREGATE_TABLES.map((table) =>
      db
        .prepare(`DELETE FROM ${table} WHERE tenant_id = ?1 AND day BETWEEN ?2 AND ?3`)
        .bind(tenantId, firstDay, lastDay),
    ),
  );
}

interface StoredReport {
  report_uuid: string;
  hour: string;
  body: string;
}

/**
 * Folds the tenant's counted raw reports whose window starts on the days `firstDay` to
 * `lastDay` into the aggregates again; resolves to the number of reports replayed.
 */
export async function replayReports(db: D1Database, tenantId: string, firstDay: string, lastDay: string) {
  let replayed = 0;
  let after = "";
  for (;;) {
    const { results } = await db
      .prepare(
        `SELECT report_uuid, hour, body FROM usage_reports
         WHERE tenant_id = ?1 AND late = 0 AND substr(hour, 1, 10) BETWEEN ?2 AND ?3 AND report_uuid > ?4
         ORDER BY report_uuid LIMIT ?5`,
      )
      .bind(tenantId, firstDay, lastDay, after, REPLAY_PAGE)
      .all<StoredReport>();
    if (results.length === 0) return replayed;
    const statements = results.flatMap((row) =>
      foldStatements(
        db,
        tenantId,
        // Stored bodies passed this schema when they arrived; parsing again fills the defaults of
        // fields added since (a report stored before SPIFFE IDs were taken has none).
        { report: reportSchema.parse(JSON.parse(row.body)), hour: row.hour, day: row.hour.slice(0, 10) },
        "replay",
      ),
    );
    await db.batch(statements);
    replayed += results.length;
    after = results.at(-1)?.report_uuid ?? after;
  }
}
