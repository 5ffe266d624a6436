import { securityRowsOf, securitySql } from "./fold-sums";
import type { UsageReport } from "./schema";
import type { ValidatedReport } from "./validate";
import { BOT_COUNTERS, USER_COUNTERS, type UserOrigin } from "./vocabulary";

/**
 * What a usage report adds to its tenant's aggregates, the facts the billing figures are
 * computed from (docs/BILLING.md): the users that count in MAU, the workload identities that
 * count in MWI, the resources that count in TPR, and the hour the cluster reported in. The same
 * statements fold a new report (guarded, in its storing transaction) and replay a stored one
 * (src/usage/replay.ts), so a period rebuilt from its raw reports gets the same aggregates.
 *
 * The identity aggregates are sets keyed by (tenant, UTC day, cluster, identity) with a bit mask of
 * the hours it was seen in, merged with OR; a user's origin is merged to the smallest known one
 * (`unspecified` below all): folding a report twice, or in another order, changes nothing. Identity
 * Security's sums (summaries, tokens, audit log entries) are added, and graph sizes kept at their
 * hour's largest: only the guarded statements of a report's own storing transaction, and a replay
 * of a cleared range, run them, so each report counts once (fold-sums.ts).
 */

export type WorkloadKind = "bot" | "bot_instance" | "spiffe_id";

export interface Contribution {
  /** Users of kind human or unspecified with at least one non-zero counter, with their origin: MAU. */
  users: [string, UserOrigin][];
  /** Active bots, bot instances and SPIFFE IDs: MWI. */
  workloads: [WorkloadKind, string][];
  /** Resources present, as [kind, id]: TPR. */
  resources: [string, string][];
}

export function contributionOf(report: UsageReport): Contribution {
  const users = new Map<string, UserOrigin>();
  const workloads = new Map<string, [WorkloadKind, string]>();
  const workload = (kind: WorkloadKind, id: string) => workloads.set(`${kind} ${id}`, [kind, id]);
  const resources: [string, string][] = [];
  switch (report.kind) {
    case "user_activity":
      for (const record of report.records) {
        const active =
          USER_COUNTERS.some((name) => record[name] > 0) || record.session_summaries_accessed.some((s) => s.count > 0);
        if (active && (record.user_kind === "human" || record.user_kind === "unspecified")) {
          users.set(record.user_name, knownOrigin(users.get(record.user_name), record.user_origin));
        }
        if (active && record.user_kind === "bot") workload("bot", record.user_name);
        for (const spiffe of record.spiffe_ids_issued) {
          if (spiffe.svids_issued > 0) workload("spiffe_id", spiffe.spiffe_id);
        }
      }
      break;
    case "bot_instance_activity":
      for (const record of report.records) {
        if (!BOT_COUNTERS.some((name) => record[name] > 0)) continue;
        workload("bot", record.bot_user_name);
        workload("bot_instance", record.bot_instance_id);
      }
      break;
    case "resource_presence":
      for (const group of report.resources) for (const id of group.ids) resources.push([group.kind, id]);
      break;
    case "identity_security_summaries":
    case "identity_security":
      break; // sums and sizes, not identities: fold-sums.ts
  }
  return { users: [...users], workloads: [...workloads.values()], resources };
}

/** The origin a user is kept under: the smallest known one, `unspecified` only when none is. */
export function knownOrigin(a: UserOrigin | undefined, b: UserOrigin): UserOrigin {
  if (a === undefined || a === "unspecified") return b;
  if (b === "unspecified") return a;
  return a < b ? a : b;
}

/**
 * The most rows storing a report can add, which is what it costs its tenant (submit.ts): its raw
 * row, its reported hour, and one per identity it carries, whether or not that identity ends up
 * stored (a user or bot per user record, each of its SPIFFE IDs, a bot and an instance per
 * bot-instance record, each resource id). A late report writes its raw row and a late counter.
 * Identity Security reports: three sums per summaries record (summaries, input and output tokens of
 * its session type), one hourly size per graph record and one sum per audit log record. Session
 * summaries a user opened are kept only in the raw row, so they add nothing.
 */
export function maxRowsStored(report: UsageReport): number {
  switch (report.kind) {
    case "identity_security_summaries":
      return 2 + 3 * report.records.length;
    case "identity_security":
      return 2 + report.graph_size_records.length + report.audit_log_records.length;
    case "user_activity":
      return 2 + report.records.reduce((n, record) => n + 1 + record.spiffe_ids_issued.length, 0);
    case "bot_instance_activity":
      return 2 + 2 * report.records.length;
    case "resource_presence":
      return 2 + report.resources.reduce((n, group) => n + group.ids.length, 0);
  }
}

/**
 * SQL that is true when the tenant has a closed (closing or final; with `finalOnly`, final)
 * billing period ending on or after `day`: a report for that day arrives too late to be
 * counted. Periods close in order, so this also covers a day before the tenant's first period.
 */
export function closedThrough(tenant: string, day: string, finalOnly = false): string {
  const state = finalOnly ? "state = 'final'" : "state <> 'open'";
  return `EXISTS (SELECT 1 FROM billing_usage WHERE tenant_id = ${tenant} AND ${state} AND period_end >= ${day})`;
}

/**
 * SQL that is true when a report for `day` is late: its period is closed (closedThrough), or
 * `day` is before `countedFrom`, the first day the calendar still lets count (a period before
 * the tenant's first one that is already final: src/billing/report-bounds.ts).
 */
export function lateFor(tenant: string, day: string, countedFrom: string): string {
  return `(${closedThrough(tenant, day)} OR ${day} < ${countedFrom})`;
}

/** Not stored yet (a resend adds nothing) and not late (its period's figures are settled). */
const NEW_AND_ON_TIME = `NOT EXISTS (SELECT 1 FROM usage_reports WHERE tenant_id = ?1 AND report_uuid = ?2)
  AND NOT ${lateFor("?1", "?3", "?7")}`;

// ?1 tenant, ?2 report uuid, ?3 day, ?4 cluster, ?5 the hour's bit, ?6 the kind or the JSON rows,
// and, guarded, ?7 the first day reports can be counted for.
function foldSql(guard: string) {
  return {
    reportedHour: `
INSERT INTO tenant_reported_hours (tenant_id, day, cluster_name, kind, hours)
SELECT ?1, ?3, ?4, ?6, ?5 WHERE ${guard}
ON CONFLICT (tenant_id, day, cluster_name, kind) DO UPDATE SET hours = hours | excluded.hours`,
    users: `
INSERT INTO tenant_daily_users (tenant_id, day, cluster_name, user_name, user_origin)
SELECT ?1, ?3, ?4, r.value ->> 0, r.value ->> 1 FROM json_each(?6) AS r WHERE ${guard}
ON CONFLICT (tenant_id, day, cluster_name, user_name) DO UPDATE SET user_origin = excluded.user_origin
WHERE excluded.user_origin <> 'unspecified' AND (user_origin = 'unspecified' OR excluded.user_origin < user_origin)`,
    workloads: `
INSERT INTO tenant_daily_workloads (tenant_id, day, cluster_name, kind, id, hours)
SELECT ?1, ?3, ?4, r.value ->> 0, r.value ->> 1, ?5 FROM json_each(?6) AS r WHERE ${guard}
ON CONFLICT (tenant_id, day, cluster_name, kind, id) DO UPDATE SET hours = hours | excluded.hours`,
    resources: `
INSERT INTO tenant_daily_resources (tenant_id, day, cluster_name, resource_kind, resource_id, hours)
SELECT ?1, ?3, ?4, r.value ->> 0, r.value ->> 1, ?5 FROM json_each(?6) AS r WHERE ${guard}
ON CONFLICT (tenant_id, day, cluster_name, resource_kind, resource_id) DO UPDATE SET hours = hours | excluded.hours`,
  };
}

const FOLD = { store: foldSql(NEW_AND_ON_TIME), replay: foldSql("true") };
const SUMS = { store: securitySql(NEW_AND_ON_TIME), replay: securitySql("true") };

/**
 * The statements folding one report into the aggregates. `{ countedFrom }`: guarded for a report
 * being stored in the same transaction (run them before its raw insert), `countedFrom` as
 * lateFor takes it; `"replay"`: unguarded, for a stored report that was counted (not late).
 */
export function foldStatements(
  db: D1Database,
  tenantId: string,
  validated: Pick<ValidatedReport, "report" | "day" | "hour">,
  mode: { countedFrom: string } | "replay",
): D1PreparedStatement[] {
  const [sql, sums] = mode === "replay" ? [FOLD.replay, SUMS.replay] : [FOLD.store, SUMS.store];
  const { report, day } = validated;
  const hourBit = 2 ** Number(validated.hour.slice(11, 13));
  const guard = mode === "replay" ? [] : [mode.countedFrom];
  const bind = (statement: string, last: string) =>
    db.prepare(statement).bind(tenantId, report.report_uuid, day, report.cluster_name, hourBit, last, ...guard);
  const { users, workloads, resources } = contributionOf(report);
  const statements = [bind(sql.reportedHour, report.kind)];
  if (users.length > 0) statements.push(bind(sql.users, JSON.stringify(users)));
  if (workloads.length > 0) statements.push(bind(sql.workloads, JSON.stringify(workloads)));
  if (resources.length > 0) statements.push(bind(sql.resources, JSON.stringify(resources)));
  const security = securityRowsOf(report, validated.hour);
  if (security.sums.length > 0) statements.push(bind(sums.sums, JSON.stringify(security.sums)));
  if (security.graphs.length > 0) statements.push(bind(sums.graphs, JSON.stringify(security.graphs)));
  return statements;
}
