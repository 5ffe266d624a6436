import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { computeBilling } from "../../src/billing/compute";
import { readBillingUsage } from "../../src/billing/queries";
import { createTenant } from "../../src/tenants/admin";
import type { TenantRow } from "../../src/tenants/store";
import { storeReports } from "../../src/usage/store";
import { validateReports } from "../../src/usage/validate";
import { get, operator } from "../helpers/harness";
import { clusterDigest, expectedFigures, fixture, type ScopeFigures, wireReport } from "../helpers/worked-example";

/**
 * docs/BILLING.md's worked example, exactly as the page shows it: its reports are stored through
 * the usage code, the cron runs once the period is final, and the rows and the detail endpoint
 * must give the figures computed by hand on the page.
 */

interface DetailScope {
  mau: number;
  tpr: number;
  mwi: number;
  mau_days: { day: string; users: number; cumulative: number }[];
  tpr_days: { day: string; mean: number; hours: { hour: number; resources: number }[] }[];
  mwi_days: {
    day: string;
    mean: number;
    hours: { hour: number; bots: number; bot_instances: number; spiffe_ids: number; mwi: number }[];
  }[];
}

/** A detail scope's series in the page's compact notation. */
function compact(scope: DetailScope): ScopeFigures {
  return {
    mau: Object.fromEntries(scope.mau_days.map((d) => [d.day, [d.users, d.cumulative]])),
    tpr: Object.fromEntries(
      scope.tpr_days.map((d) => [d.day, Object.fromEntries(d.hours.map((h) => [String(h.hour), h.resources]))]),
    ),
    mwi: Object.fromEntries(
      scope.mwi_days.map((d) => [
        d.day,
        Object.fromEntries(d.hours.map((h) => [String(h.hour), [h.bots, h.bot_instances, h.spiffe_ids]])),
      ]),
    ),
  };
}

let tenant: TenantRow;

beforeAll(async () => {
  tenant = await createTenant(env.DB, {
    name: fixture.tenant.name,
    termStart: fixture.tenant.term_start,
    termMonths: fixture.tenant.term_months,
    now: Date.parse(`${fixture.tenant.created}T00:00:00Z`),
  });
  const reports = await Promise.all(fixture.reports.map(wireReport));
  const storedAt = Date.parse(fixture.stored_at);
  for (let i = 0; i < reports.length; i += 10) {
    const validated = validateReports({ reports: reports.slice(i, i + 10) }, storedAt, tenant.created_at);
    expect(validated.rejected).toEqual([]);
    await storeReports(env.DB, tenant.id, validated.accepted, storedAt);
  }
  await computeBilling(env.DB, Date.parse(fixture.computed_at), 3);
});

describe("the worked example of docs/BILLING.md", () => {
  for (const [month, expected] of Object.entries(expectedFigures)) {
    it(`bills ${month} with the figures computed by hand`, async () => {
      const [row] = await readBillingUsage(env.DB, month, tenant.id);
      expect(row).toMatchObject({
        period_start: expected.period[0],
        period_end: expected.period[1],
        term_start: expected.term[0],
        term_end: expected.term[1],
        ...expected.figures,
        mau_high_water: expected.high_water.mau,
        tpr_high_water: expected.high_water.tpr,
        mwi_high_water: expected.high_water.mwi,
        late_reports: 0,
        formula_version: 2,
        final: true,
      });
    });
  }

  it("explains 2026-04 with the series computed by hand, in total and per cluster", async () => {
    const expected = expectedFigures["2026-04"];
    const res = await get(`/v1/billing/usage/detail?tenant=${fixture.tenant.name}&month=2026-04`, {
      headers: operator(),
    });
    expect(res.status).toBe(200);
    const detail = (await res.json()) as {
      period_start: string;
      period_end: string;
      stored: Record<string, unknown>;
      total: DetailScope;
      clusters: (DetailScope & { cluster_name: string })[];
    };
    expect([detail.period_start, detail.period_end]).toEqual(expected?.period);
    expect(detail.stored).toMatchObject({ ...expected?.figures, final: true, formula_version: 2 });

    const labels = new Map<string, string>();
    for (const label of ["A", "B"]) labels.set(await clusterDigest(label), label);
    const series: Record<string, ScopeFigures> = { total: compact(detail.total) };
    for (const cluster of detail.clusters) {
      const figures = { mau: cluster.mau, tpr: cluster.tpr, mwi: cluster.mwi };
      series[labels.get(cluster.cluster_name) ?? cluster.cluster_name] = { figures, ...compact(cluster) };
    }
    expect(series).toEqual(expected?.series);
    expect({ mau: detail.total.mau, tpr: detail.total.tpr, mwi: detail.total.mwi }).toEqual(expected?.figures);
  });
});
