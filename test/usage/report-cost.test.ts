import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { RequestLimiter } from "../../src/ratelimit/middleware";
import { createTenant } from "../../src/tenants/admin";
import { submitReports } from "../../src/usage/submit";
import { costedReport, wireCostedReport } from "../helpers/cost-reports";
import { bearer, postUsage } from "../helpers/harness";
import { userActivityReport } from "../helpers/reports";
import { digestOf, tenantWithToken } from "../helpers/tenants";

/**
 * Every row a usage report stores is paid for: the units a request charges its tenant bound the
 * rows it adds (usage_reports, the aggregates, the late counter), and D1's rows written (each
 * raw report row also writes two index entries) at most twice that, for any reports, counted or
 * late. So the tenant's bucket bounds what it can make D1 store.
 */

const AT = Date.parse("2026-05-20T12:00:00Z");
const TABLES = [
  "usage_reports",
  "tenant_reported_hours",
  "tenant_daily_users",
  "tenant_daily_workloads",
  "tenant_daily_resources",
  "late_usage_reports",
  "tenant_daily_usage_sums",
  "tenant_hourly_graph_sizes",
];

async function rowsOf(tenantId: string): Promise<number> {
  const counts = await env.DB.batch(
    TABLES.map((table) => env.DB.prepare(`SELECT COUNT(*) AS n FROM ${table} WHERE tenant_id = ?1`).bind(tenantId)),
  );
  return counts.reduce((n, result) => n + ((result.results[0] as { n: number } | undefined)?.n ?? 0), 0);
}

/** The real D1, adding up the rows its batches report written. */
function measuredDb(): { db: D1Database; written: () => number } {
  let written = 0;
  const db = new Proxy(env.DB, {
    get(target, name) {
      if (name === "batch") {
        return async (statements: D1PreparedStatement[]) => {
          const results = await target.batch(statements);
          for (const result of results) written += result.meta.rows_written;
          return results;
        };
      }
      const value = Reflect.get(target, name);
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
  return { db, written: () => written };
}

/** A limiter that admits everything and adds up what the tenant was charged. */
function chargeRecorder(): { limiter: RequestLimiter; charged: () => number } {
  let charged = 0;
  const free = async () => {};
  return {
    limiter: {
      admitEvents: free,
      chargeBody: free,
      recordAuthFailure: free,
      admitForget: free,
      chargeTenant: async (_tenant, units) => {
        charged += units;
      },
    },
    charged: () => charged,
  };
}

let run = 0;

describe("what usage reports cost their tenant", () => {
  it("bounds the rows they store, and the rows D1 writes, for any reports, counted or late", async () => {
    const totals = { charged: 0, stored: 0, written: 0, largestStored: 0, largestWritten: 0 };
    await fc.assert(
      fc.asyncProperty(fc.array(costedReport, { minLength: 1, maxLength: 4 }), async (generated) => {
        const tenant = await createTenant(env.DB, { name: `cost-${run++}`, termStart: "2026-04-01", now: AT });
        const reports = await Promise.all(generated.map(wireCostedReport));
        const { db, written } = measuredDb();
        const { limiter, charged } = chargeRecorder();
        const before = await rowsOf(tenant.id);
        const outcome = await submitReports(db, limiter, tenant, { reports }, { receivedAt: AT, graceDays: 3 });
        expect(outcome.accepted).toBe(reports.length);
        const stored = (await rowsOf(tenant.id)) - before;
        expect(stored).toBeLessThanOrEqual(charged());
        expect(written()).toBeLessThanOrEqual(2 * charged());
        totals.charged += charged();
        totals.stored += stored;
        totals.written += written();
        totals.largestStored = Math.max(totals.largestStored, stored / charged());
        totals.largestWritten = Math.max(totals.largestWritten, written() / charged());
      }),
      { seed: 20260520, numRuns: 40 },
    );
    console.log("units charged, rows stored, D1 rows written (and the largest ratios of one request):", totals);
  }, 120_000);

  it("charges a record for each SPIFFE ID it carries, so a tenant's bucket refuses a flood of them", async () => {
    const { tenant, issued } = await tenantWithToken(`spiffe-flood-${run++}`);
    const spiffe = await Promise.all(
      Array.from({ length: 1_000 }, async (_, i) => ({ spiffe_id: await digestOf(`svc-${i}`), svids_issued: 1 })),
    );
    const flood = {
      ...(await userActivityReport({ start: new Date().toISOString(), users: [] })),
      records: [
        { user_name: await digestOf("robot"), user_kind: "bot", certificates_issued: 1, spiffe_ids_issued: spiffe },
      ],
    };
    const post = (bindings: Partial<Env>) =>
      postUsage({ reports: [{ ...flood, report_uuid: crypto.randomUUID() }] }, bearer(issued.token), { bindings });
    // 1,003 rows: the raw report, its hour, the bot and 1,000 SPIFFE IDs; a bucket of 500 cannot pay.
    const refused = await post({ RATE_LIMIT_TENANT_CAPACITY: "500", RATE_LIMIT_TENANT_PER_SECOND: "1" });
    expect(refused.status).toBe(429);
    expect(await rowsOf(tenant.id)).toBe(0);
    const { limiter, charged } = chargeRecorder();
    await submitReports(env.DB, limiter, tenant, { reports: [flood] }, { receivedAt: Date.now(), graceDays: 3 });
    expect(charged()).toBe(1_003);
    expect(await rowsOf(tenant.id)).toBe(1_003);
  });
});
