import { env } from "cloudflare:workers";

/**
 * Everything the usage code folded into a tenant's billing aggregates (src/usage/fold.ts), in a
 * stable order: what tests compare before and after a resend, a replay or a migration.
 */
export async function aggregatesOf(tenantId: string, db: D1Database = env.DB) {
  const rows = async (sql: string) => (await db.prepare(sql).bind(tenantId).all<Record<string, unknown>>()).results;
  return {
    hours: await rows(
      "SELECT day, cluster_name, kind, hours FROM tenant_reported_hours WHERE tenant_id = ?1 ORDER BY day, cluster_name, kind",
    ),
    users: await rows(
      "SELECT day, cluster_name, user_name FROM tenant_daily_users WHERE tenant_id = ?1 ORDER BY day, cluster_name, user_name",
    ),
    resources: await rows(
      `SELECT day, cluster_name, resource_kind, resource_id, hours FROM tenant_daily_resources WHERE tenant_id = ?1
       ORDER BY day, cluster_name, resource_kind, resource_id`,
    ),
    workloads: await rows(
      `SELECT day, cluster_name, kind, id, hours FROM tenant_daily_workloads WHERE tenant_id = ?1
       ORDER BY day, cluster_name, kind, id`,
    ),
  };
}
