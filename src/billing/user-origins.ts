/**
 * MAU by user origin: each user counted in a period's MAU under one origin, the smallest known
 * origin its rows of the period hold (the usage fold keeps the smallest known per day too), or
 * `unspecified` when no report said. So the origins' counts add up to MAU, in total (a user on
 * several clusters counted once) and per cluster.
 */

export type OriginCounts = Record<string, number>;

const BY_ORIGIN = (byCluster: boolean) => `
SELECT cluster_name, origin, COUNT(*) AS n FROM (
  SELECT ${byCluster ? "u.cluster_name" : "''"} AS cluster_name, u.user_name,
         COALESCE(MIN(NULLIF(u.user_origin, 'unspecified')), 'unspecified') AS origin
  FROM tenant_daily_users AS u WHERE u.tenant_id = ?1 AND u.day BETWEEN ?2 AND ?3
  GROUP BY ${byCluster ? "u.cluster_name, " : ""}u.user_name)
GROUP BY cluster_name, origin ORDER BY cluster_name, origin`;

const TOTAL = BY_ORIGIN(false);
const PER_CLUSTER = BY_ORIGIN(true);

/** The period's MAU by origin, in total ("" key) and, when asked, per cluster (by digest). */
export async function mauByOrigin(
  db: D1Database,
  tenantId: string,
  first: string,
  last: string,
  perCluster: boolean,
): Promise<Map<string, OriginCounts>> {
  const statements = (perCluster ? [TOTAL, PER_CLUSTER] : [TOTAL]).map((sql) =>
    db.prepare(sql).bind(tenantId, first, last),
  );
  const scopes = new Map<string, OriginCounts>([["", {}]]);
  for (const { results } of await db.batch<{ cluster_name: string; origin: string; n: number }>(statements)) {
    for (const row of results) {
      const counts = scopes.get(row.cluster_name) ?? {};
      counts[row.origin] = row.n;
      scopes.set(row.cluster_name, counts);
    }
  }
  return scopes;
}
