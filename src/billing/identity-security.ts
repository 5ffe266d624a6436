import { averageOverDays, type DayMean, type HourCount } from "./figures";

/**
 * A period's Identity Security figures, read from the aggregates src/usage/fold-sums.ts writes,
 * in total and per cluster (docs/BILLING.md, "Identity Security"):
 *
 * - summaries generated, their input and output tokens, and audit log entries ingested are sums
 *   over the period (per session type, per provider);
 * - graph sizes (identities, resources) are averaged like TPR: for each hour with an
 *   `identity_security` report, the sum over clusters of each provider's largest size reported
 *   in that hour (an hour whose reports list no graph counts 0), then the mean over the day's
 *   reported hours, then the mean over the period's days, rounded half up to two decimals
 *   (figures.ts). Per provider the same, on that provider's sizes alone; each is rounded on its
 *   own, so the providers' figures may add up to the total within a hundredth per provider.
 */

export interface ProviderFigures {
  identities: number;
  resources: number;
  logs_ingested: number;
}

export interface SecurityFigures {
  summaries_generated: number;
  summary_input_tokens: number;
  summary_output_tokens: number;
  /** Per session type: summaries, input and output tokens. */
  by_session_type: Record<string, { summaries_generated: number; input_tokens: number; output_tokens: number }>;
  graph_identities: number;
  graph_resources: number;
  audit_logs_ingested: number;
  by_provider: Record<string, ProviderFigures>;
  /** The hourly graph sizes the averages come from (all providers together). */
  graph_days: DayMean<GraphHour>[];
}

export interface GraphHour extends HourCount {
  /** `count` is the identities; these are the resources. */
  resources: number;
}

interface SumRow {
  cluster_name: string;
  metric: string;
  dimension: string;
  value: number;
}
interface GraphRow {
  cluster_name: string;
  day: string;
  hour: number;
  provider: string;
  identities: number;
  resources: number;
}
interface HoursRow {
  cluster_name: string;
  day: string;
  hours: number;
}

const SUMS = `
SELECT cluster_name, metric, dimension, SUM(value) AS value FROM tenant_daily_usage_sums
WHERE tenant_id = ?1 AND day BETWEEN ?2 AND ?3 GROUP BY cluster_name, metric, dimension`;
const GRAPHS = `
SELECT cluster_name, day, hour, provider, identities, resources FROM tenant_hourly_graph_sizes
WHERE tenant_id = ?1 AND day BETWEEN ?2 AND ?3`;
const REPORTED = `
SELECT cluster_name, day, hours FROM tenant_reported_hours
WHERE tenant_id = ?1 AND day BETWEEN ?2 AND ?3 AND kind = 'identity_security'`;

/** One scope's rows (the total's, or a cluster's). */
class ScopeRows {
  readonly sums: SumRow[] = [];
  readonly graphs: GraphRow[] = [];
  readonly reported = new Map<string, number>();

  figures(): SecurityFigures {
    const figures: SecurityFigures = {
      summaries_generated: 0,
      summary_input_tokens: 0,
      summary_output_tokens: 0,
      by_session_type: {},
      graph_identities: 0,
      graph_resources: 0,
      audit_logs_ingested: 0,
      by_provider: {},
      graph_days: [],
    };
    const provider = (name: string): ProviderFigures => {
      const figuresOf = figures.by_provider[name] ?? { identities: 0, resources: 0, logs_ingested: 0 };
      figures.by_provider[name] = figuresOf;
      return figuresOf;
    };
    for (const row of this.sums) {
      if (row.metric === "logs_ingested") {
        figures.audit_logs_ingested += row.value;
        provider(row.dimension).logs_ingested += row.value;
        continue;
      }
      const type = figures.by_session_type[row.dimension] ?? {
        summaries_generated: 0,
        input_tokens: 0,
        output_tokens: 0,
      };
      figures.by_session_type[row.dimension] = type;
      if (row.metric === "summaries_generated") {
        figures.summaries_generated += row.value;
        type.summaries_generated += row.value;
      } else if (row.metric === "summary_input_tokens") {
        figures.summary_input_tokens += row.value;
        type.input_tokens += row.value;
      } else if (row.metric === "summary_output_tokens") {
        figures.summary_output_tokens += row.value;
        type.output_tokens += row.value;
      }
    }
    const all = averaged(this.reported, this.graphs);
    figures.graph_identities = all.identities.figure;
    figures.graph_resources = all.resources.figure;
    figures.graph_days = all.identities.days.map((day, i) => ({
      ...day,
      hours: day.hours.map((hour, j) => ({ ...hour, resources: all.resources.days[i]?.hours[j]?.count ?? 0 })),
    }));
    for (const name of new Set(this.graphs.map((row) => row.provider))) {
      const one = averaged(
        this.reported,
        this.graphs.filter((row) => row.provider === name),
      );
      provider(name).identities = one.identities.figure;
      provider(name).resources = one.resources.figure;
    }
    return figures;
  }
}

/** Hourly sums of identities and of resources, over the reported hours, averaged per day then period. */
function averaged(reported: ReadonlyMap<string, number>, graphs: readonly GraphRow[]) {
  const at = new Map<string, { identities: number; resources: number }>();
  for (const row of graphs) {
    const key = `${row.day} ${row.hour}`;
    const sum = at.get(key) ?? { identities: 0, resources: 0 };
    sum.identities += row.identities;
    sum.resources += row.resources;
    at.set(key, sum);
  }
  const perDay = (pick: "identities" | "resources") => {
    const days = new Map<string, HourCount[]>();
    for (const [day, mask] of reported) {
      const hours: HourCount[] = [];
      for (let hour = 0; hour < 24; hour++) {
        if (mask & (1 << hour)) hours.push({ hour, count: at.get(`${day} ${hour}`)?.[pick] ?? 0 });
      }
      if (hours.length > 0) days.set(day, hours);
    }
    return days;
  };
  return { identities: averageOverDays(perDay("identities")), resources: averageOverDays(perDay("resources")) };
}

/** The period `first` to `last`'s figures: in total ("" key) and, when asked, per cluster. */
export async function securityFigures(
  db: D1Database,
  tenantId: string,
  first: string,
  last: string,
  perCluster: boolean,
): Promise<Map<string, SecurityFigures>> {
  const [sums, graphs, reported] = await db.batch(
    [SUMS, GRAPHS, REPORTED].map((sql) => db.prepare(sql).bind(tenantId, first, last)),
  );
  const scopes = new Map<string, ScopeRows>([["", new ScopeRows()]]);
  const scopesOf = (cluster: string) => {
    if (!perCluster) return [scopes.get("") as ScopeRows];
    if (!scopes.has(cluster)) scopes.set(cluster, new ScopeRows());
    return [scopes.get("") as ScopeRows, scopes.get(cluster) as ScopeRows];
  };
  for (const row of (sums?.results ?? []) as SumRow[])
    for (const scope of scopesOf(row.cluster_name)) scope.sums.push(row);
  for (const row of (graphs?.results ?? []) as GraphRow[]) {
    for (const scope of scopesOf(row.cluster_name)) scope.graphs.push(row);
  }
  for (const row of (reported?.results ?? []) as HoursRow[]) {
    for (const scope of scopesOf(row.cluster_name))
      scope.reported.set(row.day, (scope.reported.get(row.day) ?? 0) | row.hours);
  }
  return new Map([...scopes].map(([key, scope]) => [key, scope.figures()]));
}
