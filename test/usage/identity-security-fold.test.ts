import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { RequestLimiter } from "../../src/ratelimit/middleware";
import { createTenant } from "../../src/tenants/admin";
import { clearAggregates, replayReports } from "../../src/usage/replay";
import { submitReports } from "../../src/usage/submit";
import { digestOf } from "../helpers/tenants";

/**
 * The aggregates Identity Security's reports and user origins fold into, for random reports sent
 * in random order with resends: the sums are the sums over distinct reports (a resend adds
 * nothing), each hour's graph size is the largest reported, a user's origin is its smallest
 * known one whatever the order, and clearing the days and replaying the raw reports gives back
 * exactly the same rows.
 */

const free = async () => {};
const limiter: RequestLimiter = {
  admitEvents: free,
  chargeBody: free,
  recordAuthFailure: free,
  admitForget: free,
  chargeTenant: free,
};
const AT = Date.parse("2026-08-20T12:00:00Z");
const pick = <T>(...values: T[]) => fc.constantFrom(...values);

const generated = fc.oneof(
  fc.record({
    kind: fc.constant("identity_security_summaries" as const),
    hour: fc.integer({ min: 0, max: 5 }),
    records: fc.array(
      fc.record({ type: pick("ssh", "k8s", "rdp"), n: fc.nat(5), input: fc.nat(900), output: fc.nat(90) }),
      { maxLength: 4 },
    ),
  }),
  fc.record({
    kind: fc.constant("identity_security" as const),
    hour: fc.integer({ min: 0, max: 5 }),
    graphs: fc.array(fc.record({ provider: pick("aws", "okta", "acme"), size: fc.nat(500) }), { maxLength: 3 }),
    logs: fc.array(fc.record({ provider: pick("cloudtrail", "teleport"), n: fc.nat(10_000) }), { maxLength: 2 }),
  }),
  fc.record({
    kind: fc.constant("user_activity" as const),
    hour: fc.integer({ min: 0, max: 5 }),
    users: fc.array(fc.record({ user: pick("u1", "u2", "u3"), origin: pick("unspecified", "local", "sso", "okta") }), {
      maxLength: 3,
    }),
  }),
);
type Generated = typeof generated extends fc.Arbitrary<infer T> ? T : never;

async function wire(g: Generated): Promise<Record<string, unknown>> {
  const header = {
    kind: g.kind,
    report_uuid: crypto.randomUUID(),
    cluster_name: await digestOf("cluster-a"),
    reporter_hostid: await digestOf("auth-1"),
    start_time: new Date(Date.parse("2026-08-19T00:00:00Z") + g.hour * 3_600_000).toISOString(),
  };
  if (g.kind === "identity_security_summaries") {
    const records = g.records.map((r) => ({
      session_type: r.type,
      summaries_generated: r.n,
      total_input_tokens: r.input,
      total_output_tokens: r.output,
    }));
    return { ...header, records };
  }
  if (g.kind === "identity_security") {
    return {
      ...header,
      graph_size_records: g.graphs.map((r) => ({ provider: r.provider, total_identities: r.size, total_resources: 1 })),
      audit_log_records: g.logs.map((r) => ({ provider: r.provider, logs_ingested: r.n })),
    };
  }
  const records = await Promise.all(
    g.users.map(async (u) => ({
      user_name: await digestOf(u.user),
      user_kind: "human",
      logins: 1,
      user_origin: u.origin,
    })),
  );
  return { ...header, records };
}

async function rows(tenantId: string) {
  const [sums, graphs, users] = await env.DB.batch<Record<string, string | number>>(
    [
      "SELECT day, metric, dimension, value FROM tenant_daily_usage_sums WHERE tenant_id = ?1 ORDER BY 1, 2, 3",
      "SELECT day, provider, hour, identities FROM tenant_hourly_graph_sizes WHERE tenant_id = ?1 ORDER BY 1, 2, 3",
      "SELECT day, user_name, user_origin FROM tenant_daily_users WHERE tenant_id = ?1 ORDER BY 1, 2",
    ].map((sql) => env.DB.prepare(sql).bind(tenantId)),
  );
  return { sums: sums?.results ?? [], graphs: graphs?.results ?? [], users: users?.results ?? [] };
}

let run = 0;

describe("Identity Security's aggregates and user origins", () => {
  it("are the model's, whatever the order and the resends, and come back the same from a replay", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(generated, { minLength: 1, maxLength: 10 }),
        fc.array(fc.nat(), { maxLength: 4 }),
        fc.array(fc.double({ noNaN: true }), { minLength: 14, maxLength: 14 }),
        async (reports, resends, order) => {
          const tenant = await createTenant(env.DB, { name: `fold-${run++}`, termStart: "2026-08-01", now: AT });
          const wired = await Promise.all(reports.map(wire));
          const sent = [...wired, ...resends.map((i) => wired[i % wired.length] as Record<string, unknown>)]
            .map((report, i) => ({ report, key: order[i] ?? 0 }))
            .sort((a, b) => a.key - b.key)
            .map((x) => x.report);
          for (let i = 0; i < sent.length; i += 3) {
            await submitReports(
              env.DB,
              limiter,
              tenant,
              { reports: sent.slice(i, i + 3) },
              { receivedAt: AT, graceDays: 3 },
            );
          }
          const stored = await rows(tenant.id);

          // The model, from the distinct reports.
          const sums = new Map<string, number>();
          const add = (key: string, n: number) => n > 0 && sums.set(key, (sums.get(key) ?? 0) + n);
          const graphs = new Map<string, number>();
          const origins = new Map<string, string>();
          for (const r of reports) {
            if (r.kind === "identity_security_summaries") {
              for (const x of r.records) {
                const type = x.type === "rdp" ? "other" : x.type;
                add(`summaries_generated ${type}`, x.n);
                add(`summary_input_tokens ${type}`, x.input);
                add(`summary_output_tokens ${type}`, x.output);
              }
            } else if (r.kind === "identity_security") {
              for (const x of r.logs) add(`logs_ingested ${x.provider}`, x.n);
              for (const x of r.graphs) {
                const key = `${x.provider === "acme" ? "other" : x.provider} ${r.hour}`;
                graphs.set(key, Math.max(graphs.get(key) ?? 0, x.size));
              }
            } else {
              for (const u of r.users) {
                const known = origins.get(u.user);
                const better =
                  known === undefined || known === "unspecified" || (u.origin !== "unspecified" && u.origin < known);
                origins.set(u.user, better ? u.origin : known);
              }
            }
          }
          expect(new Map(stored.sums.map((s) => [`${s.metric} ${s.dimension}`, s.value]))).toEqual(sums);
          expect(new Map(stored.graphs.map((g) => [`${g.provider} ${g.hour}`, g.identities]))).toEqual(graphs);
          const names = new Map(
            await Promise.all(["u1", "u2", "u3"].map(async (u) => [await digestOf(u), u] as const)),
          );
          expect(new Map(stored.users.map((u) => [names.get(u.user_name as string), u.user_origin]))).toEqual(origins);

          await clearAggregates(env.DB, tenant.id, "2026-08-19", "2026-08-19");
          await replayReports(env.DB, tenant.id, "2026-08-19", "2026-08-19");
          expect(await rows(tenant.id)).toEqual(stored);
        },
      ),
      { seed: 20260819, numRuns: 30 },
    );
  }, 120_000);
});
