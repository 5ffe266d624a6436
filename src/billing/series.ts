import { type Averaged, averageOverDays, cumulativeUsers, type HourCount, type UserDay } from "./figures";

/**
 * A period's series, read from the aggregates src/usage/fold.ts writes: per day MAU's distinct
 * and cumulative users; per reported hour the distinct resources (TPR) and the distinct bots,
 * bot instances and SPIFFE IDs (MWI); averaged by figures.ts. In total (distinct across the
 * tenant's clusters) and, for the detail endpoint, per cluster. The cron's figures are the
 * totals of exactly these series, so the detail endpoint explains the billed numbers.
 */

export interface WorkloadHour extends HourCount {
  bots: number;
  bot_instances: number;
  spiffe_ids: number;
}

export interface ScopeSeries {
  mau: number;
  tpr: number;
  mwi: number;
  mau_days: UserDay[];
  tpr_days: Averaged["days"];
  mwi_days: Averaged<WorkloadHour>["days"];
}

export interface PeriodSeries {
  total: ScopeSeries;
  /** Per cluster (by `cluster_name` digest), when asked for. */
  clusters: (ScopeSeries & { cluster_name: string })[];
}

/** The kinds of report whose hours each averaged figure runs over. */
const TPR_REPORTS = new Set(["resource_presence"]);
const MWI_REPORTS = new Set(["user_activity", "bot_instance_activity"]);

const HOURS = `json_each('[${Array.from({ length: 24 }, (_, hour) => hour).join(",")}]')`;

/**
 * SQL for one scope: in total, identities are counted once across clusters (DISTINCT); per
 * cluster, each row is already one identity of that cluster.
 */
function scoped(alias: string, byCluster: boolean, identity: string) {
  return byCluster
    ? { cluster: `${alias}.cluster_name`, group: `${alias}.cluster_name, `, count: "COUNT(*)" }
    : { cluster: "''", group: "", count: `COUNT(DISTINCT ${identity})` };
}

function queries(byCluster: boolean) {
  const r = scoped("r", byCluster, "r.resource_kind || ' ' || r.resource_id");
  const w = scoped("w", byCluster, "w.id");
  const u = scoped("u", byCluster, "u.user_name");
  return {
    resources: `
SELECT ${r.cluster} AS cluster_name, r.day, h.value AS hour, ${r.count} AS n
FROM tenant_daily_resources AS r JOIN ${HOURS} AS h ON (r.hours >> h.value) & 1 = 1
WHERE r.tenant_id = ?1 AND r.day BETWEEN ?2 AND ?3
GROUP BY ${r.group}r.day, h.value`,
    workloads: `
SELECT ${w.cluster} AS cluster_name, w.day, h.value AS hour, w.kind, ${w.count} AS n
FROM tenant_daily_workloads AS w JOIN ${HOURS} AS h ON (w.hours >> h.value) & 1 = 1
WHERE w.tenant_id = ?1 AND w.day BETWEEN ?2 AND ?3
GROUP BY ${w.group}w.day, h.value, w.kind`,
    users: `
SELECT ${u.cluster} AS cluster_name, u.day, ${u.count} AS n
FROM tenant_daily_users AS u WHERE u.tenant_id = ?1 AND u.day BETWEEN ?2 AND ?3
GROUP BY ${u.group}u.day`,
    // Users counted on the first day of the period they were active on: the running sum is
    // the distinct users so far.
    newUsers: `
SELECT cluster_name, first_day AS day, COUNT(*) AS n FROM (
  SELECT ${u.cluster} AS cluster_name, MIN(u.day) AS first_day
  FROM tenant_daily_users AS u WHERE u.tenant_id = ?1 AND u.day BETWEEN ?2 AND ?3
  GROUP BY ${u.group}u.user_name)
GROUP BY cluster_name, first_day`,
  };
}

const TOTAL = queries(false);
const PER_CLUSTER = queries(true);
const REPORTED = `
SELECT cluster_name, day, kind, hours FROM tenant_reported_hours
WHERE tenant_id = ?1 AND day BETWEEN ?2 AND ?3`;

/** Every column the series' queries return; each query returns the ones its reader uses. */
interface SeriesRow {
  cluster_name: string;
  day: string;
  kind: string;
  hours: number;
  hour: number;
  n: number;
}

/** What one scope's series are built from; "" is the total's scope. */
class ScopeInput {
  readonly tprHours = new Map<string, number>();
  readonly mwiHours = new Map<string, number>();
  readonly resources = new Map<string, number>();
  readonly workloads = new Map<string, Omit<WorkloadHour, "hour" | "count">>();
  readonly usersPerDay = new Map<string, number>();
  readonly newUsersPerDay = new Map<string, number>();

  series(): ScopeSeries {
    const tpr = averageOverDays(
      perDay(this.tprHours, (day, hour) => ({ hour, count: this.resources.get(`${day} ${hour}`) ?? 0 })),
    );
    const mwi = averageOverDays(
      perDay(this.mwiHours, (day, hour) => {
        const counts = this.workloads.get(`${day} ${hour}`) ?? { bots: 0, bot_instances: 0, spiffe_ids: 0 };
        return { hour, ...counts, count: counts.bots + counts.bot_instances + counts.spiffe_ids };
      }),
    );
    const mau = cumulativeUsers(this.usersPerDay, this.newUsersPerDay);
    return {
      mau: mau.mau,
      tpr: tpr.figure,
      mwi: mwi.figure,
      mau_days: mau.days,
      tpr_days: tpr.days,
      mwi_days: mwi.days,
    };
  }
}

/** Each day with a reported hour, mapped to its reported hours' values. */
function perDay<H>(masks: ReadonlyMap<string, number>, valueAt: (day: string, hour: number) => H): Map<string, H[]> {
  const days = new Map<string, H[]>();
  for (const [day, mask] of masks) {
    const hours: H[] = [];
    for (let hour = 0; hour < 24; hour++) if (mask & (1 << hour)) hours.push(valueAt(day, hour));
    if (hours.length > 0) days.set(day, hours);
  }
  return days;
}

const WORKLOAD_FIELDS = { bot: "bots", bot_instance: "bot_instances", spiffe_id: "spiffe_ids" } as const;

/** The series of the period `first` to `last` (days, both included), in total and optionally per cluster. */
export async function periodSeries(
  db: D1Database,
  tenantId: string,
  first: string,
  last: string,
  perCluster: boolean,
): Promise<PeriodSeries> {
  const sets = perCluster ? [TOTAL, PER_CLUSTER] : [TOTAL];
  const statements = [REPORTED, ...sets.flatMap((q) => [q.resources, q.workloads, q.users, q.newUsers])].map((sql) =>
    db.prepare(sql).bind(tenantId, first, last),
  );
  const [reported, ...counted] = await db.batch<SeriesRow>(statements);

  const scopes = new Map<string, ScopeInput>();
  const scope = (key: string): ScopeInput => {
    const existing = scopes.get(key);
    if (existing) return existing;
    const created = new ScopeInput();
    scopes.set(key, created);
    return created;
  };
  for (const row of reported?.results ?? []) {
    for (const key of perCluster ? ["", row.cluster_name] : [""]) {
      const input = scope(key);
      for (const [kinds, masks] of [
        [TPR_REPORTS, input.tprHours],
        [MWI_REPORTS, input.mwiHours],
      ] as const) {
        if (kinds.has(row.kind)) masks.set(row.day, (masks.get(row.day) ?? 0) | row.hours);
      }
    }
  }
  for (let i = 0; i < sets.length; i++) {
    const [resources = [], workloads = [], users = [], newUsers = []] = counted
      .slice(i * 4, i * 4 + 4)
      .map((r) => r.results);
    for (const row of resources) scope(row.cluster_name).resources.set(`${row.day} ${row.hour}`, row.n);
    for (const row of workloads) {
      const hours = scope(row.cluster_name).workloads;
      const key = `${row.day} ${row.hour}`;
      const counts = hours.get(key) ?? { bots: 0, bot_instances: 0, spiffe_ids: 0 };
      counts[WORKLOAD_FIELDS[row.kind as keyof typeof WORKLOAD_FIELDS]] = row.n;
      hours.set(key, counts);
    }
    for (const row of users) scope(row.cluster_name).usersPerDay.set(row.day, row.n);
    for (const row of newUsers) scope(row.cluster_name).newUsersPerDay.set(row.day, row.n);
  }

  const total = scope("").series();
  const clusters = [...scopes.keys()]
    .filter((key) => key !== "")
    .sort()
    .map((cluster_name) => ({ cluster_name, ...scope(cluster_name).series() }));
  return { total, clusters };
}
