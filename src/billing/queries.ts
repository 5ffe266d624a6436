/** Typed D1 queries for the monthly billing figures. Months are `YYYY-MM` (UTC). */

export interface MonthFigures {
  mau: number;
  tpr: number;
  mwi: number;
}

export interface BillingRow extends MonthFigures {
  tenant_id: string;
  month: string;
  mau_high_water: number;
  tpr_high_water: number;
  mwi_high_water: number;
  final: boolean;
  computed_at: number;
}

export async function listTenantIds(db: D1Database): Promise<string[]> {
  const { results } = await db.prepare("SELECT id FROM tenants ORDER BY id").all<{ id: string }>();
  return results.map((row) => row.id);
}

/** Where a tenant's billing stands: its first reported month and its last final month. */
export async function billingProgress(
  db: D1Database,
  tenantId: string,
): Promise<{ firstReportMonth: string | null; lastFinalMonth: string | null }> {
  const [first, final] = await db.batch<{ month: string | null }>([
    db.prepare("SELECT substr(MIN(hour), 1, 7) AS month FROM usage_reports WHERE tenant_id = ?1").bind(tenantId),
    db.prepare("SELECT MAX(month) AS month FROM billing_usage WHERE tenant_id = ?1 AND final = 1").bind(tenantId),
  ]);
  return {
    firstReportMonth: first?.results[0]?.month ?? null,
    lastFinalMonth: final?.results[0]?.month ?? null,
  };
}

// Days and hours are stored as "YYYY-MM-DD" and "YYYY-MM-DDTHH", so [first day of the month,
// first day of the next month) selects a month for both by plain string comparison.
const MAU = `
SELECT COUNT(DISTINCT user_name) AS n FROM tenant_daily_active_users
WHERE tenant_id = ?1 AND day >= ?2 AND day < ?3`;

const MWI = `
SELECT COUNT(DISTINCT bot_instance_id) AS n FROM tenant_daily_bot_instances
WHERE tenant_id = ?1 AND day >= ?2 AND day < ?3`;

// Distinct resources in each hour that has a resource-presence report (an hour whose reports
// list no resource counts as 0), averaged per day, then averaged over the days that have one.
const TPR = `
WITH hours AS (
  SELECT DISTINCT hour FROM usage_reports
  WHERE tenant_id = ?1 AND kind = 'resource_presence' AND hour >= ?2 AND hour < ?3
),
per_hour AS (
  SELECT h.hour,
         (SELECT COUNT(*) FROM tenant_hourly_resources AS p WHERE p.tenant_id = ?1 AND p.hour = h.hour) AS n
  FROM hours AS h
),
per_day AS (
  SELECT substr(hour, 1, 10) AS day, AVG(n) AS n FROM per_hour GROUP BY day
)
SELECT COALESCE(AVG(n), 0) AS n FROM per_day`;

/** The raw figures of one month, in one D1 round trip. */
export async function monthFigures(
  db: D1Database,
  tenantId: string,
  firstDay: string,
  nextMonthFirstDay: string,
): Promise<MonthFigures> {
  const [mau, tpr, mwi] = await db.batch<{ n: number }>(
    [MAU, TPR, MWI].map((sql) => db.prepare(sql).bind(tenantId, firstDay, nextMonthFirstDay)),
  );
  return {
    mau: mau?.results[0]?.n ?? 0,
    tpr: tpr?.results[0]?.n ?? 0,
    mwi: mwi?.results[0]?.n ?? 0,
  };
}

/** The highest figures of the tenant's months before `month`: the high-water mark so far. */
export async function highWaterBefore(db: D1Database, tenantId: string, month: string): Promise<MonthFigures> {
  const row = await db
    .prepare(
      "SELECT MAX(mau) AS mau, MAX(tpr) AS tpr, MAX(mwi) AS mwi FROM billing_usage WHERE tenant_id = ?1 AND month < ?2",
    )
    .bind(tenantId, month)
    .first<{ mau: number | null; tpr: number | null; mwi: number | null }>();
  return { mau: row?.mau ?? 0, tpr: row?.tpr ?? 0, mwi: row?.mwi ?? 0 };
}

/** Writes a month's row unless that row is already final: final figures never change. */
export async function saveBillingRow(db: D1Database, row: BillingRow): Promise<void> {
  await db
    .prepare(
      `INSERT INTO billing_usage
         (tenant_id, month, mau, tpr, mwi, mau_high_water, tpr_high_water, mwi_high_water, final, computed_at)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)
       ON CONFLICT (tenant_id, month) DO UPDATE SET
         mau = excluded.mau, tpr = excluded.tpr, mwi = excluded.mwi,
         mau_high_water = excluded.mau_high_water, tpr_high_water = excluded.tpr_high_water,
         mwi_high_water = excluded.mwi_high_water, final = excluded.final, computed_at = excluded.computed_at
       WHERE billing_usage.final = 0`,
    )
    .bind(
      row.tenant_id,
      row.month,
      row.mau,
      row.tpr,
      row.mwi,
      row.mau_high_water,
      row.tpr_high_water,
      row.mwi_high_water,
      row.final ? 1 : 0,
      row.computed_at,
    )
    .run();
}

export interface BillingReportRow extends BillingRow {
  tenant_name: string;
}

interface BillingDbRow extends Omit<BillingReportRow, "final"> {
  final: number;
}

/** A month's rows, for every tenant or for one. */
export async function readBillingUsage(db: D1Database, month: string, tenantId?: string): Promise<BillingReportRow[]> {
  const { results } = await db
    .prepare(
      `SELECT b.tenant_id, t.name AS tenant_name, b.month, b.mau, b.tpr, b.mwi,
              b.mau_high_water, b.tpr_high_water, b.mwi_high_water, b.final, b.computed_at
       FROM billing_usage AS b JOIN tenants AS t ON t.id = b.tenant_id
       WHERE b.month = ?1 AND (?2 IS NULL OR b.tenant_id = ?2)
       ORDER BY t.name`,
    )
    .bind(month, tenantId ?? null)
    .all<BillingDbRow>();
  return results.map((row) => ({ ...row, final: row.final !== 0 }));
}
