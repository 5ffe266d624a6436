import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { computeBilling } from "../../src/billing/compute";
import { billingDetail } from "../../src/billing/detail";
import type { RequestLimiter } from "../../src/ratelimit/middleware";
import { createTenant } from "../../src/tenants/admin";
import { submitReports } from "../../src/usage/submit";
import { digestOf } from "../helpers/tenants";

/**
 * Identity Security's figures on a worked example (docs/BILLING.md, "Identity Security"): two
 * clusters, two days, graph sizes per hour (an hour with an empty report counts 0, two reports of
 * one hour keep the larger size), sums of summaries, tokens and audit log entries; then a report
 * resent, and one arriving once its period is final: neither changes a figure.
 */

const free = async () => {};
const limiter: RequestLimiter = {
  admitEvents: free,
  chargeBody: free,
  recordAuthFailure: free,
  admitForget: free,
  chargeTenant: free,
};
const AT = Date.parse("2026-06-20T12:00:00Z");

async function report(kind: string, cluster: string, start: string, fields: Record<string, unknown>) {
  return {
    kind,
    report_uuid: crypto.randomUUID(),
    cluster_name: await digestOf(`cluster-${cluster}`),
    reporter_hostid: await digestOf(`auth-${cluster}`),
    start_time: start,
    ...fields,
  };
}
const graph = (...records: [string, number, number][]) => ({
  graph_size_records: records.map(([provider, total_identities, total_resources]) => ({
    provider,
    total_identities,
    total_resources,
  })),
  audit_log_records: [],
});

describe("Identity Security's billing figures", () => {
  it("sums what happened and averages the graphs' sizes like TPR, per provider and per cluster", async () => {
    const tenant = await createTenant(env.DB, { name: "security-co", termStart: "2026-06-01", now: AT });
    const reports = [
      // June 10: hour 10 has A's aws 100 and okta 20, and B's aws 40; hour 11 A's aws 110; hour 12 A's empty report.
      await report("identity_security", "A", "2026-06-10T10:00:00Z", {
        ...graph(["aws", 100, 50], ["okta", 20, 5]),
        audit_log_records: [
          { provider: "cloudtrail", logs_ingested: 1000 },
          { provider: "teleport", logs_ingested: 200 },
        ],
      }),
      await report("identity_security", "A", "2026-06-10T10:30:00Z", graph(["aws", 90, 45])),
      await report("identity_security", "B", "2026-06-10T10:00:00Z", graph(["aws", 40, 40])),
      await report("identity_security", "A", "2026-06-10T11:00:00Z", graph(["aws", 110, 60])),
      await report("identity_security", "A", "2026-06-10T12:00:00Z", graph()),
      // June 11: hour 9 A's aws 90.
      await report("identity_security", "A", "2026-06-11T09:00:00Z", {
        ...graph(["aws", 90, 30]),
        audit_log_records: [{ provider: "cloudtrail", logs_ingested: 500 }],
      }),
      await report("identity_security_summaries", "A", "2026-06-10T10:15:00Z", {
        records: [
          { session_type: "ssh", summaries_generated: 2, total_input_tokens: 100, total_output_tokens: 10 },
          { session_type: "k8s", summaries_generated: 1, total_input_tokens: 50, total_output_tokens: 5 },
        ],
      }),
      // A session type this schema does not list is summed as other.
      await report("identity_security_summaries", "B", "2026-06-11T08:00:00Z", {
        records: [{ session_type: "rdp", summaries_generated: 1, total_input_tokens: 10, total_output_tokens: 1 }],
      }),
    ];
    const first = await submitReports(
      env.DB,
      limiter,
      tenant,
      { reports: reports.slice(0, 5) },
      { receivedAt: AT, graceDays: 3 },
    );
    const second = await submitReports(
      env.DB,
      limiter,
      tenant,
      { reports: reports.slice(3) },
      { receivedAt: AT, graceDays: 3 },
    );
    expect([first.accepted, second.accepted, second.duplicates]).toEqual([5, 3, 2]);
    await computeBilling(env.DB, AT, 3);

    const detail = await billingDetail(env.DB, tenant, "2026-06");
    // June 10: identities 160, 110, 0 (mean 90); resources 95, 60, 0 (51.67). June 11: 90 and 30.
    expect(detail.stored).toMatchObject({
      summaries_generated: 4,
      summary_input_tokens: 160,
      summary_output_tokens: 16,
      graph_identities: 90,
      graph_resources: 40.83,
      audit_logs_ingested: 1700,
      identity_security_by_provider: {
        aws: { identities: 86.67, resources: 40, logs_ingested: 0 }, // (250/3 + 90) / 2; (150/3 + 30) / 2
        okta: { identities: 3.33, resources: 0.83, logs_ingested: 0 }, // (20/3 + 0) / 2; (5/3 + 0) / 2
        cloudtrail: { identities: 0, resources: 0, logs_ingested: 1500 },
        teleport: { identities: 0, resources: 0, logs_ingested: 200 },
      },
    });
    expect(detail.total.identity_security).toMatchObject({
      by_session_type: {
        ssh: { summaries_generated: 2, input_tokens: 100, output_tokens: 10 },
        k8s: { summaries_generated: 1, input_tokens: 50, output_tokens: 5 },
        other: { summaries_generated: 1, input_tokens: 10, output_tokens: 1 },
      },
      graph_days: [
        {
          day: "2026-06-10",
          hours: [
            { hour: 10, identities: 160, resources: 95 },
            { hour: 11, identities: 110, resources: 60 },
            { hour: 12, identities: 0, resources: 0 },
          ],
        },
        { day: "2026-06-11", hours: [{ hour: 9, identities: 90, resources: 30 }] },
      ],
    });
    const [a, b] = await Promise.all([digestOf("cluster-A"), digestOf("cluster-B")]);
    const cluster = (name: string) => detail.clusters.find((c) => c.cluster_name === name)?.identity_security;
    // A alone: June 10 has 120, 110, 0 (mean 76.67), June 11 has 90.
    expect(cluster(a)).toMatchObject({ graph_identities: 83.33, summaries_generated: 3, audit_logs_ingested: 1700 });
    // B reported one hour of one day: 40.
    expect(cluster(b)).toMatchObject({ graph_identities: 40, summaries_generated: 1, audit_logs_ingested: 0 });

    // Once June is final, a report for it is stored late and changes nothing.
    const after = Date.parse("2026-07-05T00:00:00Z");
    await computeBilling(env.DB, after, 3);
    const late = await report("identity_security", "A", "2026-06-20T10:00:00Z", {
      ...graph(["aws", 5000, 5000]),
      audit_log_records: [{ provider: "cloudtrail", logs_ingested: 99_999 }],
    });
    await submitReports(env.DB, limiter, tenant, { reports: [late] }, { receivedAt: after, graceDays: 3 });
    await computeBilling(env.DB, after + 3_600_000, 3);
    const final = await billingDetail(env.DB, tenant, "2026-06");
    expect(final.stored).toMatchObject({ state: "final", graph_identities: 90, audit_logs_ingested: 1700 });
    expect(final.total.identity_security).toMatchObject({ graph_identities: 90, audit_logs_ingested: 1700 });
    expect(final.late_reports).toBe(1);
  });
});
