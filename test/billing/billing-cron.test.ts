import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { computeBilling } from "../../src/billing/compute";
import { type BillingReportRow, readBillingUsage } from "../../src/billing/queries";
import { periodSeries } from "../../src/billing/series";
import { aggregatesOf } from "../helpers/aggregates";
import { at, report as reportFor, seedBillCo } from "../helpers/bill-co";
import { operatorGet, runHourlyCron } from "../helpers/harness";
import { userActivityReport } from "../helpers/reports";

/** The cron's billing over bill-co's April to July (test/helpers/bill-co.ts has the figures by hand). */

const GRACE_DAYS = 3;
let tenantId: string;
const report = (now: number, ...reports: Record<string, unknown>[]) => reportFor(tenantId, now, ...reports);

async function rows(): Promise<Record<string, BillingReportRow>> {
  const out: Record<string, BillingReportRow> = {};
  for (const month of ["2026-03", "2026-04", "2026-05", "2026-06", "2026-07"]) {
    const [row] = await readBillingUsage(env.DB, month, tenantId);
    if (row) out[month] = row;
  }
  return out;
}

beforeAll(async () => {
  tenantId = await seedBillCo();
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
    expect(await report(at("2026-05-10T00:00:00Z"), late)).toEqual({
      accepted: 1,
      duplicates: 0,
      late: 1,
      fates: ["late"],
    });
    // A resend of the late report is a duplicate, counted once.
    expect(await report(at("2026-05-10T01:00:00Z"), late)).toEqual({
      accepted: 0,
      duplicates: 1,
      late: 0,
      fates: ["duplicate"],
    });
    await computeBilling(env.DB, at("2026-05-10T02:00:00Z"), GRACE_DAYS);

    const after = (await rows())["2026-04"];
    expect(after).toEqual({ ...before, late_reports: 1, last_late_report_at: at("2026-05-10T00:00:00Z") });
    expect(await aggregatesOf(tenantId)).toEqual(aggregates);
    const stored = await env.DB.prepare("SELECT late FROM usage_reports WHERE report_uuid = ?1")
      .bind(late.report_uuid)
      .first();
    expect(stored).toEqual({ late: 1 });
    // The final period's series still give exactly its figures, and the detail shows the late report.
    const { total } = await periodSeries(env.DB, tenantId, "2026-04-01", "2026-04-30", false);
    expect({ mau: total.mau, tpr: total.tpr, mwi: total.mwi }).toEqual({
      mau: before?.mau,
      tpr: before?.tpr,
      mwi: before?.mwi,
    });
    const detail = await operatorGet("/v1/billing/usage/detail?tenant=bill-co&month=2026-04");
    expect(detail).toMatchObject({
      stored: { mau: before?.mau, tpr: before?.tpr, mwi: before?.mwi, final: true },
      late_reports: 1,
      last_late_report_at: "2026-05-10T00:00:00.000Z",
      total: { mau: before?.mau, tpr: before?.tpr, mwi: before?.mwi },
    });
    expect((await rows())["2026-05"]).toMatchObject({ mau: 1, final: false });
  });

  it("finalises May after its grace period, and starts the next term's high-water marks fresh", async () => {
    const now = at("2026-06-04T00:00:00Z");
    await runHourlyCron(now);
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
