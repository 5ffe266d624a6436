import { env, exports } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { computeBilling } from "../../src/billing/compute";
import { type BillingReportRow, readBillingUsage } from "../../src/billing/queries";
import { periodSeries } from "../../src/billing/series";
import { runScheduled } from "../../src/scheduled";
import { createTenant } from "../../src/tenants/admin";
import { storeReports } from "../../src/usage/store";
import { validateReports } from "../../src/usage/validate";
import { aggregatesOf } from "../helpers/aggregates";
import { botInstanceReport, resourcePresenceReport, userActivityReport } from "../helpers/reports";
import { digestOf } from "../helpers/tenants";

const GRACE_DAYS = 3;
const at = (iso: string) => Date.parse(iso);
let tenantId: string;

/** Stores reports as POST /v1/usage would, with the clock set to `now`. */
async function report(now: number, ...reports: Record<string, unknown>[]) {
  const validated = validateReports({ reports }, now, 0); // the tenant has existed all along
  expect(validated.rejected).toEqual([]);
  return storeReports(env.DB, tenantId, validated.accepted, now);
}

async function onClusterB(report: Promise<Record<string, unknown>>): Promise<Record<string, unknown>> {
  return { ...(await report), cluster_name: await digestOf("cluster-b"), reporter_hostid: await digestOf("auth-b") };
}

async function rows(): Promise<Record<string, BillingReportRow>> {
  const out: Record<string, BillingReportRow> = {};
  for (const month of ["2026-03", "2026-04", "2026-05", "2026-06", "2026-07"]) {
    const [row] = await readBillingUsage(env.DB, month, tenantId);
    if (row) out[month] = row;
  }
  return out;
}

/*
 * The tenant is created on 2026-04-01 with a 2-month term: periods are calendar months (anchor
 * day 1), term 0 is April-May, term 1 June-July. The fixture, by hand:
 * April
 *   users: alice + bob on 04-03 (cluster A), alice again on 04-20 (cluster B), carol with only
 *          zero counters                                        → MAU 2
 *   resources: 04-03 10h {n1,n2,n3}=3, 11h {n1}=1               → day 2
 *              04-04 00h {n1,n2} (A) + {n3,n4} (B) = 4, 01h a report listing nothing = 0
 *                                                               → day 2
 *              → TPR (2 + 2) / 2 = 2
 *   MWI hours (user or bot-instance reports):
 *              04-03 10h: bot-ci (the instances' bot) + {i1, i2} = 3          → day 3
 *              04-10 10h: bot-ci + {i1} = 2                                   → day 2
 *              04-20 08h: alice's report, no machine identity = 0            → day 0
 *              → MWI (3 + 2 + 0) / 3 = 1.666… → 1.67
 * May
 *   users: dave → MAU 1; resources: 05-01 00h {n1..n5} → TPR 5; 05-01 00h bot-ci + i3 → MWI 2
 *   high-water marks over April-May: MAU 2, TPR 5, MWI 2
 */
beforeAll(async () => {
  tenantId = (await createTenant(env.DB, { name: "bill-co", termMonths: 2, now: at("2026-04-01T00:00:00Z") })).id;
  const april = at("2026-04-30T00:00:00Z");
  const idle = await userActivityReport({ start: "2026-04-03T10:00:00Z", users: ["carol"] });
  (idle.records as Record<string, unknown>[])[0] = { user_name: await digestOf("carol"), user_kind: "human" };
  await report(
    april,
    await userActivityReport({ start: "2026-04-03T10:00:00Z", users: ["alice", "bob"] }),
    await onClusterB(userActivityReport({ start: "2026-04-20T08:15:00Z", users: ["alice"] })),
    idle,
    await resourcePresenceReport({ start: "2026-04-03T10:00:00Z", nodes: ["n1", "n2", "n3"] }),
    await resourcePresenceReport({ start: "2026-04-03T11:00:00Z", nodes: ["n1"] }),
    await resourcePresenceReport({ start: "2026-04-04T00:00:00Z", nodes: ["n1", "n2"] }),
    await onClusterB(resourcePresenceReport({ start: "2026-04-04T00:00:00Z", nodes: ["n3", "n4"] })),
    await resourcePresenceReport({ start: "2026-04-04T01:00:00Z", nodes: [] }),
  );
  await report(
    april,
    await botInstanceReport({ start: "2026-04-03T10:00:00Z", instances: ["i1", "i2"] }),
    await botInstanceReport({ start: "2026-04-10T10:00:00Z", instances: ["i1"] }),
  );
  const may = at("2026-05-01T12:00:00Z");
  await report(
    may,
    await userActivityReport({ start: "2026-05-01T00:00:00Z", users: ["dave"] }),
    await resourcePresenceReport({ start: "2026-05-01T00:00:00Z", nodes: ["n1", "n2", "n3", "n4", "n5"] }),
    await botInstanceReport({ start: "2026-05-01T00:00:00Z", instances: ["i3"] }),
  );
});

describe("billing cron", () => {
  it("computes MAU, TPR and MWI per period with high-water marks over the term", async () => {
    const now = at("2026-05-02T00:00:00Z");
    await computeBilling(env.DB, now, GRACE_DAYS);
    const byPeriod = await rows();
    expect(byPeriod["2026-04"]).toMatchObject({
      tenant_name: "bill-co",
      period_start: "2026-04-01",
      period_end: "2026-04-30",
      term_start: "2026-04-01",
      term_end: "2026-05-31",
      mau: 2,
      tpr: 2,
      mwi: 1.67,
      mau_high_water: 2,
      tpr_high_water: 2,
      mwi_high_water: 1.67,
      state: "open",
      final: false,
      formula_version: 2,
      late_reports: 0,
      computed_at: now,
    });
    expect(byPeriod["2026-05"]).toMatchObject({
      mau: 1,
      tpr: 5,
      mwi: 2,
      mau_high_water: 2,
      tpr_high_water: 5,
      mwi_high_water: 2,
      final: false,
    });
    expect(byPeriod["2026-03"]).toBeUndefined(); // before the tenant
    expect(byPeriod["2026-06"]).toBeUndefined();
  });

  it("changes nothing when run twice", async () => {
    const now = at("2026-05-02T00:00:00Z");
    const before = await env.DB.prepare("SELECT * FROM billing_usage ORDER BY tenant_id, month").all();
    await computeBilling(env.DB, now, GRACE_DAYS);
    await computeBilling(env.DB, now, GRACE_DAYS);
    const after = await env.DB.prepare("SELECT * FROM billing_usage ORDER BY tenant_id, month").all();
    expect(after.results).toEqual(before.results);
  });

  it("recomputes an open period when a report arrives within the grace period", async () => {
    await report(
      at("2026-05-03T00:00:00Z"),
      await userActivityReport({ start: "2026-04-29T23:45:00Z", users: ["erin"] }),
    );
    await computeBilling(env.DB, at("2026-05-03T00:00:00Z"), GRACE_DAYS);
    const byPeriod = await rows();
    expect(byPeriod["2026-04"]).toMatchObject({ mau: 3, final: false });
    // 04-29 23h is one more MWI hour with nothing machine-like: (3 + 2 + 0 + 0) / 4.
    expect(byPeriod["2026-04"]?.mwi).toBe(1.25);
    expect(byPeriod["2026-05"]).toMatchObject({ mau: 1, mau_high_water: 3, mwi_high_water: 2 });
  });

  it("makes a period final once it has ended and the grace period has passed", async () => {
    const finalAt = at("2026-05-04T00:00:00Z"); // May 1 + 3 days
    await computeBilling(env.DB, finalAt - 1, GRACE_DAYS);
    expect((await rows())["2026-04"]?.final).toBe(false);
    await computeBilling(env.DB, finalAt, GRACE_DAYS);
    expect((await rows())["2026-04"]).toMatchObject({ mau: 3, state: "final", final: true, computed_at: finalAt });
  });

  it("stores a report for a final period as late: counted on the row, not in its figures", async () => {
    const before = (await rows())["2026-04"];
    const aggregates = await aggregatesOf(tenantId);
    const late = await userActivityReport({ start: "2026-04-30T10:00:00Z", users: ["frank"] });
    expect(await report(at("2026-05-10T00:00:00Z"), late)).toEqual({ accepted: 1, duplicates: 0 });
    // A resend of the late report is a duplicate, counted once.
    expect(await report(at("2026-05-10T01:00:00Z"), late)).toEqual({ accepted: 0, duplicates: 1 });
    await computeBilling(env.DB, at("2026-05-10T02:00:00Z"), GRACE_DAYS);

    const after = (await rows())["2026-04"];
    expect(after).toEqual({ ...before, late_reports: 1, last_late_report_at: at("2026-05-10T00:00:00Z") });
    expect(await aggregatesOf(tenantId)).toEqual(aggregates);
    const stored = await env.DB.prepare("SELECT late FROM usage_reports WHERE report_uuid = ?1")
      .bind(late.report_uuid)
      .first();
    expect(stored).toEqual({ late: 1 });
    // The final period's series still give exactly its figures.
    const { total } = await periodSeries(env.DB, tenantId, "2026-04-01", "2026-04-30", false);
    expect({ mau: total.mau, tpr: total.tpr, mwi: total.mwi }).toEqual({
      mau: before?.mau,
      tpr: before?.tpr,
      mwi: before?.mwi,
    });
    expect((await rows())["2026-05"]).toMatchObject({ mau: 1, final: false });
  });

  it("finalises May after its grace period, and starts the next term's high-water marks fresh", async () => {
    const now = at("2026-06-04T00:00:00Z");
    await runScheduled({ scheduledTime: now, cron: "17 * * * *", noRetry() {} }, env);
    const byPeriod = await rows();
    expect(byPeriod["2026-05"]).toMatchObject({ final: true, mau: 1, mau_high_water: 3 });
    expect(byPeriod["2026-06"]).toMatchObject({
      term_start: "2026-06-01",
      term_end: "2026-07-31",
      mau: 0,
      tpr: 0,
      mwi: 0,
      mau_high_water: 0,
      tpr_high_water: 0,
      mwi_high_water: 0,
      final: false,
    });
  });

  it("treats a period left closing by an interrupted run as closed, and finishes it on the next run", async () => {
    await report(
      at("2026-06-20T00:00:00Z"),
      await userActivityReport({ start: "2026-06-20T00:00:00Z", users: ["gil"] }),
    );
    await computeBilling(env.DB, at("2026-06-20T01:00:00Z"), GRACE_DAYS);
    // As if a run had marked June closing and stopped there.
    await env.DB.prepare("UPDATE billing_usage SET state = 'closing' WHERE tenant_id = ?1 AND month = '2026-06'")
      .bind(tenantId)
      .run();
    await report(
      at("2026-06-21T00:00:00Z"),
      await userActivityReport({ start: "2026-06-21T00:00:00Z", users: ["hal"] }),
    );
    await computeBilling(env.DB, at("2026-07-04T00:00:00Z"), GRACE_DAYS);
    expect((await rows())["2026-06"]).toMatchObject({ mau: 1, state: "final", late_reports: 1 });
  });
});

describe("GET /v1/billing/usage", () => {
  const admin = { authorization: "Bearer test-admin-token" };

  it("requires the operator token", async () => {
    const res = await exports.default.fetch("http://edgehog.test/v1/billing/usage?month=2026-04");
    expect(res.status).toBe(401);
  });

  it("answers the period's rows as JSON, filtered by tenant name or id", async () => {
    for (const tenant of ["bill-co", tenantId]) {
      const res = await exports.default.fetch(`http://edgehog.test/v1/billing/usage?month=2026-04&tenant=${tenant}`, {
        headers: admin,
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        month: "2026-04",
        rows: [
          {
            tenant_id: tenantId,
            tenant_name: "bill-co",
            period_start: "2026-04-01",
            period_end: "2026-04-30",
            mau: 3,
            tpr: 2,
            mwi: 1.25,
            mau_high_water: 3,
            tpr_high_water: 2,
            mwi_high_water: 1.25,
            term_start: "2026-04-01",
            term_end: "2026-05-31",
            late_reports: 1,
            formula_version: 2,
            final: true,
            computed_at: "2026-05-04T00:00:00.000Z",
          },
        ],
      });
    }
  });

  it("answers CSV with the same columns, period dates included, for Accept: text/csv", async () => {
    const res = await exports.default.fetch("http://edgehog.test/v1/billing/usage?month=2026-05", {
      headers: { ...admin, accept: "text/csv" },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(await res.text()).toBe(
      "tenant_id,tenant_name,period_start,period_end,mau,tpr,mwi,mau_high_water,tpr_high_water,mwi_high_water," +
        "term_start,term_end,late_reports,formula_version,final,computed_at\r\n" +
        `${tenantId},bill-co,2026-05-01,2026-05-31,1,5,2,3,5,2,2026-04-01,2026-05-31,0,2,true,2026-06-04T00:00:00.000Z\r\n`,
    );
  });

  it("answers 400 for a bad month and 404 for an unknown tenant", async () => {
    const bad = await exports.default.fetch("http://edgehog.test/v1/billing/usage?month=2026-13", { headers: admin });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: "invalid_query" });
    const unknown = await exports.default.fetch("http://edgehog.test/v1/billing/usage?month=2026-04&tenant=nobody", {
      headers: admin,
    });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: "unknown_tenant" });
  });

  it("answers an empty list for a month without figures", async () => {
    const res = await exports.default.fetch("http://edgehog.test/v1/billing/usage?month=2020-01", { headers: admin });
    expect(await res.json()).toEqual({ month: "2020-01", rows: [] });
  });
});
