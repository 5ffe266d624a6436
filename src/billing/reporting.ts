import { z } from "zod";
import { DAY_MS, HOUR_MS, isoTime, utcDay } from "../lib/time";
import { positiveInt, varsReader } from "../lib/vars";
import { eventStatement } from "./webhooks/outbox";

/**
 * Silent reporters. Reporting is mandatory for some tenants (their contract says so): a cluster
 * whose reporting stopped (misconfigured, blocked, tampered with) must not go unseen. A cluster's
 * last report of each kind is the latest hour it sent one for, which the usage reports it sent
 * already record (`tenant_reported_hours`, folded in each report's own transaction: nothing more
 * is written per report). A tenant that must report, or one of its clusters, is **silent** when
 * its last reported hour ended more than REPORTING_SILENCE_HOURS ago, counted from when reporting
 * became required at the earliest (so resending old reports hides nothing, and a requirement set
 * today gives every cluster a full window). The status is computed live for the dashboard and
 * `GET /v1/billing/reporting`; the hourly job flags each new silence once (`reporting_silences`,
 * a reporting.silent webhook) and clears it when reports resume (reporting.resumed).
 */

export const reportingSilenceHoursOf = varsReader(
  "reporting",
  z.object({ REPORTING_SILENCE_HOURS: positiveInt(24) }).transform((v) => v.REPORTING_SILENCE_HOURS),
);

/** Days looked back for a cluster's last report: a cluster silent for longer is no longer listed. */
export const LOOKBACK_DAYS = 400;

export interface ClusterReporting {
  cluster_name: string;
  /** ms: the start of the latest hour it reported for, of any kind. */
  last_report_at: number;
  /** ms per report kind: the start of the latest hour reported. */
  kinds: Record<string, number>;
  silent: boolean;
}

export interface TenantReporting {
  tenant_id: string;
  tenant_name: string;
  reporting_required: boolean;
  /** ms: since when reporting is required, or null. */
  reporting_since: number | null;
  /** ms: the latest report window of any cluster, or null. */
  last_report_at: number | null;
  silent: boolean;
  clusters: ClusterReporting[];
  /** Silences the hourly job flagged (a webhook was sent), by cluster ('' the tenant): ms flagged. */
  flagged: Record<string, number>;
}

interface Row {
  tenant_id: string;
  tenant_name: string;
  reporting_required: number | null;
  reporting_since: number | null;
  cluster_name: string | null;
  kind: string | null;
  day: string | null;
  hours: number | null;
}

/** The start (ms) of the last hour of a day's mask. */
function lastHourOf(day: string, hours: number): number {
  return Date.parse(`${day}T00:00:00Z`) + (31 - Math.clz32(hours)) * HOUR_MS;
}

/** Silent at `now`: the hour starting at `reference` (ms) ended more than `hours` ago. */
const silentAt = (reference: number, now: number, hours: number) => now - (reference + HOUR_MS) > hours * HOUR_MS;

/**
 * Each tenant's reporting at `now`: with `tenantId`, that tenant (whether it must report or
 * not); otherwise every tenant that must report. Only a tenant that must report is ever silent.
 */
export async function readReporting(
  db: D1Database,
  now: number,
  hours: number,
  tenantId?: string,
): Promise<TenantReporting[]> {
  const [rows, flags] = await db.batch([
    db
      .prepare(
        // One row per cluster and kind: the latest day it reported, with that day's hours (SQLite
        // takes the bare columns of a MAX() aggregate from the row holding the maximum).
        `WITH chosen AS (
           SELECT t.id, t.name, c.reporting_required, c.reporting_since
           FROM tenants AS t LEFT JOIN tenant_contracts AS c ON c.tenant_id = t.id
           WHERE (?1 IS NULL AND c.reporting_required = 1) OR t.id = ?1)
         SELECT ch.id AS tenant_id, ch.name AS tenant_name, ch.reporting_required, ch.reporting_since,
                r.cluster_name, r.kind, r.day, r.hours
         FROM chosen AS ch LEFT JOIN (
           SELECT h.tenant_id, h.cluster_name, h.kind, MAX(h.day) AS day, h.hours FROM tenant_reported_hours AS h
           WHERE h.tenant_id IN (SELECT id FROM chosen) AND h.day >= ?2
           GROUP BY h.tenant_id, h.cluster_name, h.kind) AS r ON r.tenant_id = ch.id
         ORDER BY ch.name, r.cluster_name, r.kind`,
      )
      .bind(tenantId ?? null, utcDay(now - LOOKBACK_DAYS * DAY_MS)),
    db
      .prepare("SELECT tenant_id, cluster_name, flagged_at FROM reporting_silences WHERE ?1 IS NULL OR tenant_id = ?1")
      .bind(tenantId ?? null),
  ]);
  const tenants = new Map<string, TenantReporting>();
  for (const row of (rows?.results ?? []) as Row[]) {
    let tenant = tenants.get(row.tenant_id);
    if (!tenant) {
      tenant = {
        tenant_id: row.tenant_id,
        tenant_name: row.tenant_name,
        reporting_required: row.reporting_required === 1,
        reporting_since: row.reporting_since,
        last_report_at: null,
        silent: false,
        clusters: [],
        flagged: {},
      };
      tenants.set(row.tenant_id, tenant);
    }
    if (row.cluster_name === null || row.kind === null || row.day === null || !row.hours) continue;
    let cluster = tenant.clusters.at(-1);
    if (cluster?.cluster_name !== row.cluster_name) {
      cluster = { cluster_name: row.cluster_name, last_report_at: 0, kinds: {}, silent: false };
      tenant.clusters.push(cluster);
    }
    const last = lastHourOf(row.day, row.hours);
    cluster.kinds[row.kind] = last;
    cluster.last_report_at = Math.max(cluster.last_report_at, last);
  }
  for (const flag of (flags?.results ?? []) as { tenant_id: string; cluster_name: string; flagged_at: number }[]) {
    const tenant = tenants.get(flag.tenant_id);
    if (tenant) tenant.flagged[flag.cluster_name] = flag.flagged_at;
  }
  for (const tenant of tenants.values()) {
    const since = tenant.reporting_since ?? 0;
    for (const cluster of tenant.clusters) {
      cluster.silent = tenant.reporting_required && silentAt(Math.max(cluster.last_report_at, since), now, hours);
    }
    const latest = tenant.clusters.reduce<number | null>((n, c) => Math.max(n ?? 0, c.last_report_at), null);
    tenant.last_report_at = latest;
    tenant.silent = tenant.reporting_required && silentAt(Math.max(latest ?? 0, since), now, hours);
  }
  return [...tenants.values()];
}

/** The last report a silence is judged from: the latest window, or when reporting became required if later. */
function referenceOf(tenant: TenantReporting, cluster?: ClusterReporting): number {
  return Math.max(cluster ? cluster.last_report_at : (tenant.last_report_at ?? 0), tenant.reporting_since ?? 0);
}

/**
 * The hourly job: flags each new silence (a row and a reporting.silent event, in one
 * transaction) and clears each flagged one that is over (a reporting.resumed event, unless the
 * tenant no longer has to report). Each event is once per silence: its key is the cluster and
 * the last report before it.
 */
export async function flagSilences(db: D1Database, now: number, hours: number) {
  const summary = { silent: 0, resumed: 0 };
  const [tenants, flagged] = await Promise.all([
    readReporting(db, now, hours),
    db
      .prepare("SELECT tenant_id, cluster_name, last_report_at FROM reporting_silences")
      .all<{ tenant_id: string; cluster_name: string; last_report_at: number }>(),
  ]);
  const byTenant = new Map(tenants.map((tenant) => [tenant.tenant_id, tenant]));
  let order = 0;
  for (const tenant of tenants) {
    const scopes = [
      { cluster: "", silent: tenant.silent, reference: referenceOf(tenant) },
      ...tenant.clusters.map((c) => ({ cluster: c.cluster_name, silent: c.silent, reference: referenceOf(tenant, c) })),
    ];
    for (const scope of scopes) {
      if (!scope.silent || Object.hasOwn(tenant.flagged, scope.cluster)) continue;
      const event = await eventStatement(db, {
        type: "reporting.silent",
        tenantId: tenant.tenant_id,
        subject: `${scope.cluster}@${scope.reference}`,
        createdAt: now + order++,
        data: {
          tenant_id: tenant.tenant_id,
          cluster_name: scope.cluster || null,
          last_report_at: isoTime(scope.reference),
          silence_hours: hours,
        },
      });
      await db.batch([
        db
          .prepare(
            "INSERT OR IGNORE INTO reporting_silences (tenant_id, cluster_name, last_report_at, flagged_at) VALUES (?1, ?2, ?3, ?4)",
          )
          .bind(tenant.tenant_id, scope.cluster, scope.reference, now),
        event,
      ]);
      summary.silent++;
    }
  }
  for (const row of flagged.results) {
    const tenant = byTenant.get(row.tenant_id);
    const cluster = tenant?.clusters.find((c) => c.cluster_name === row.cluster_name);
    const stillSilent = tenant && (row.cluster_name === "" ? tenant.silent : (cluster?.silent ?? true));
    if (stillSilent) continue;
    const clear = db
      .prepare("DELETE FROM reporting_silences WHERE tenant_id = ?1 AND cluster_name = ?2")
      .bind(row.tenant_id, row.cluster_name);
    if (!tenant) {
      await clear.run(); // the tenant no longer has to report: the flag goes without a webhook
      continue;
    }
    const resumedAt = cluster ? cluster.last_report_at : (tenant.last_report_at ?? now);
    const event = await eventStatement(db, {
      type: "reporting.resumed",
      tenantId: row.tenant_id,
      subject: `${row.cluster_name}@${row.last_report_at}`,
      createdAt: now + order++,
      data: {
        tenant_id: row.tenant_id,
        cluster_name: row.cluster_name || null,
        silent_after: isoTime(row.last_report_at),
        last_report_at: isoTime(resumedAt),
      },
    });
    await db.batch([clear, event]);
    summary.resumed++;
  }
  return summary;
}
