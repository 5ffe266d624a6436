import { backendUnavailable } from "../http/errors";
import { BOT_COUNTERS, USER_COUNTERS } from "./schema";
import type { ValidatedReport } from "./validate";

export interface StoreOutcome {
  accepted: number;
  /** Reports already stored for this tenant (a client retry): acknowledged, not counted again. */
  duplicates: number;
}

/**
 * Stores reports and their aggregates in one D1 transaction. It resolves only once D1 has
 * committed, so a 2xx always means the reports are durable; any failure is a 503 with
 * Retry-After, and since nothing was committed the client's resend is harmless.
 */
export async function storeReports(
  db: D1Database,
  tenantId: string,
  reports: readonly ValidatedReport[],
  receivedAt: number,
): Promise<StoreOutcome> {
  if (reports.length === 0) return { accepted: 0, duplicates: 0 };
  const { statements, rawInsertIndexes } = reportStatements(db, tenantId, reports, receivedAt);
  let results: D1Result[];
  try {
    results = await db.batch(statements);
  } catch (err) {
    console.error("storing usage reports failed", err);
    throw backendUnavailable(
      "storage_unavailable",
      "the reports could not be stored right now; nothing was accepted, retry the whole request later",
    );
  }
  let accepted = 0;
  for (const index of rawInsertIndexes) {
    if ((results[index]?.meta.changes ?? 0) > 0) accepted++;
  }
  return { accepted, duplicates: reports.length - accepted };
}

// Each aggregate statement runs only if the report is not stored yet, and the raw insert comes
// after them in the same transaction: a resent report adds nothing. (The aggregates are sets,
// so they would also survive a second pass, but the guard keeps that true if counts are added.)
const NOT_STORED_YET = "NOT EXISTS (SELECT 1 FROM usage_reports WHERE tenant_id = ?1 AND report_uuid = ?2)";

const RECORD_ACTIVE_USERS = `
INSERT OR IGNORE INTO tenant_daily_active_users (tenant_id, day, user_name)
SELECT ?1, ?3, r.value FROM json_each(?4) AS r WHERE ${NOT_STORED_YET}`;

const RECORD_RESOURCES = `
INSERT OR IGNORE INTO tenant_hourly_resources (tenant_id, hour, resource_kind, resource_id)
SELECT ?1, ?3, r.value->>0, r.value->>1 FROM json_each(?4) AS r WHERE ${NOT_STORED_YET}`;

const RECORD_BOT_INSTANCES = `
INSERT OR IGNORE INTO tenant_daily_bot_instances (tenant_id, day, bot_instance_id)
SELECT ?1, ?3, r.value FROM json_each(?4) AS r WHERE ${NOT_STORED_YET}`;

const INSERT_RAW_REPORT = `
INSERT OR IGNORE INTO usage_reports
  (tenant_id, report_uuid, kind, cluster_name, reporter_hostid, start_time, end_time, hour, received_at, body)
VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)`;

export interface ReportStatements {
  statements: D1PreparedStatement[];
  /** Index in `statements` of each report's raw insert: no row changed means a duplicate. */
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
): ReportStatements {
  const statements: D1PreparedStatement[] = [];
  const rawInsertIndexes: number[] = [];
  for (const validated of reports) {
    const { report } = validated;
    const uuid = report.report_uuid;
    switch (report.kind) {
      case "user_activity": {
        // A user counts as active only with at least one interaction in the window.
        const active = report.records.filter((r) => USER_COUNTERS.some((name) => r[name] > 0)).map((r) => r.user_name);
        if (active.length > 0) {
          statements.push(
            db.prepare(RECORD_ACTIVE_USERS).bind(tenantId, uuid, validated.day, JSON.stringify(unique(active))),
          );
        }
        break;
      }
      case "resource_presence": {
        const pairs = report.resources.flatMap((group) => group.ids.map((id) => [group.kind, id]));
        if (pairs.length > 0) {
          statements.push(db.prepare(RECORD_RESOURCES).bind(tenantId, uuid, validated.hour, JSON.stringify(pairs)));
        }
        break;
      }
      case "bot_instance_activity": {
        const active = report.records
          .filter((r) => BOT_COUNTERS.some((name) => r[name] > 0))
          .map((r) => r.bot_instance_id);
        if (active.length > 0) {
          statements.push(
            db.prepare(RECORD_BOT_INSTANCES).bind(tenantId, uuid, validated.day, JSON.stringify(unique(active))),
          );
        }
        break;
      }
    }
    rawInsertIndexes.push(statements.length);
    statements.push(
      db
        .prepare(INSERT_RAW_REPORT)
        .bind(
          tenantId,
          uuid,
          report.kind,
          report.cluster_name,
          report.reporter_hostid,
          validated.startMs,
          validated.endMs,
          validated.hour,
          receivedAt,
          JSON.stringify(report),
        ),
    );
  }
  return { statements, rawInsertIndexes };
}

function unique(values: readonly string[]): string[] {
  return [...new Set(values)];
}
