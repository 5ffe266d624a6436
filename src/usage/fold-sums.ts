import type { UsageReport } from "./schema";

/**
 * What an Identity Security report adds to its tenant's aggregates: sums per (day, cluster, metric,
 * dimension) in `tenant_daily_usage_sums` (summaries generated, input and output tokens per session
 * type; audit log entries per provider), and each provider's graph size per hour in
 * `tenant_hourly_graph_sizes`, kept at the largest size reported in that hour (several Auth
 * Services may report the same graph). A report's rows are summed in code first, so it adds at
 * most one row per key. Sums are not idempotent: fold.ts runs these statements only guarded by
 * "this report is not stored yet" in its storing transaction, or on a range a replay cleared.
 */

/** The metrics of `tenant_daily_usage_sums`. */
export const SUM_METRICS = [
  "summaries_generated",
  "summary_input_tokens",
  "summary_output_tokens",
  "logs_ingested",
] as const;
export type SumMetric = (typeof SUM_METRICS)[number];

export interface SecurityRows {
  /** [metric, dimension, value] */
  sums: [SumMetric, string, number][];
  /** [provider, hour, identities, resources] */
  graphs: [string, number, number, number][];
}

export function securityRowsOf(report: UsageReport, hour: string): SecurityRows {
  const sums = new Map<string, [SumMetric, string, number]>();
  const add = (metric: SumMetric, dimension: string, value: number) => {
    if (value === 0) return;
    const key = `${metric} ${dimension}`;
    const row = sums.get(key) ?? [metric, dimension, 0];
    row[2] += value;
    sums.set(key, row);
  };
  const graphs = new Map<string, [string, number, number, number]>();
  if (report.kind === "identity_security_summaries") {
    for (const record of report.records) {
      add("summaries_generated", record.session_type, record.summaries_generated);
      add("summary_input_tokens", record.session_type, record.total_input_tokens);
      add("summary_output_tokens", record.session_type, record.total_output_tokens);
    }
  } else if (report.kind === "identity_security") {
    const hourOfDay = Number(hour.slice(11, 13));
    for (const record of report.audit_log_records) add("logs_ingested", record.provider, record.logs_ingested);
    for (const record of report.graph_size_records) {
      const row = graphs.get(record.provider) ?? [record.provider, hourOfDay, 0, 0];
      row[2] = Math.max(row[2], record.total_identities);
      row[3] = Math.max(row[3], record.total_resources);
      graphs.set(record.provider, row);
    }
  }
  return { sums: [...sums.values()], graphs: [...graphs.values()] };
}

// ?1 tenant, ?3 day, ?4 cluster, ?6 the JSON rows; the guard as fold.ts binds it.
export function securitySql(guard: string) {
  return {
    sums: `
INSERT INTO tenant_daily_usage_sums (tenant_id, day, cluster_name, metric, dimension, value)
SELECT ?1, ?3, ?4, r.value ->> 0, r.value ->> 1, r.value ->> 2 FROM json_each(?6) AS r WHERE ${guard}
ON CONFLICT (tenant_id, day, cluster_name, metric, dimension) DO UPDATE SET value = value + excluded.value`,
    graphs: `
INSERT INTO tenant_hourly_graph_sizes (tenant_id, day, cluster_name, provider, hour, identities, resources)
SELECT ?1, ?3, ?4, r.value ->> 0, r.value ->> 1, r.value ->> 2, r.value ->> 3 FROM json_each(?6) AS r WHERE ${guard}
ON CONFLICT (tenant_id, day, cluster_name, provider, hour) DO UPDATE SET
  identities = MAX(identities, excluded.identities), resources = MAX(resources, excluded.resources)`,
  };
}
