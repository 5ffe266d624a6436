import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { computeBilling } from "../../src/billing/compute";
import type { RequestLimiter } from "../../src/ratelimit/middleware";
import { createTenant } from "../../src/tenants/admin";
import type { TenantRow } from "../../src/tenants/store";
import { submitReports } from "../../src/usage/submit";
import { userActivityReport } from "../helpers/reports";

/**
 * Where usage reports meet billing: a tenant's reports are taken from its billing start (its
 * term start, or its first period's start if that is earlier), not from its creation; a report
 * counts while its period is open (its grace days included) and is stored late once the period
 * is final, by its billing row or, before the tenant's first period, by the calendar, so the
 * figures do not depend on when the cron ran.
 */

const GRACE_DAYS = 3;
const at = (iso: string) => Date.parse(iso);
const admitAll: RequestLimiter = {
  admitEvents: async () => {},
  chargeBody: async () => {},
  chargeTenant: async () => {},
  recordAuthFailure: async () => {},
  admitForget: async () => {},
};

let run = 0;
async function tenant(created: string, termStart: string): Promise<TenantRow> {
  return createTenant(env.DB, { name: `bounds-${run++}`, termStart, now: at(created) });
}

/** Sends one report per `[start, user]` at `receivedAt`, as the tenant's doors do. */
async function send(t: TenantRow, receivedAt: string, ...reports: [string, string][]) {
  const body = {
    reports: await Promise.all(reports.map(([start, user]) => userActivityReport({ start, users: [user] }))),
  };
  return submitReports(env.DB, admitAll, t, body, { receivedAt: at(receivedAt), graceDays: GRACE_DAYS });
}

async function periods(tenantId: string) {
  const { results } = await env.DB.prepare(
    `SELECT month, mau, state,
       (SELECT COALESCE(SUM(l.reports), 0) FROM late_usage_reports AS l
        WHERE l.tenant_id = b.tenant_id AND l.day BETWEEN b.period_start AND b.period_end) AS late
     FROM billing_usage AS b WHERE tenant_id = ?1 ORDER BY month`,
  )
    .bind(tenantId)
    .all<{ month: string; mau: number; state: string; late: number }>();
  return results.map((row) => [row.month, row.mau, row.state, row.late]);
}

describe("usage reports from a tenant's billing start", () => {
  it("take the start of the first period when the term began before the tenant was created", async () => {
    const t = await tenant("2026-03-20T09:00:00Z", "2026-03-01");
    const outcome = await send(
      t,
      "2026-03-20T10:00:00Z",
      ["2026-03-05T10:00:00Z", "ann"],
      ["2026-02-28T23:45:00Z", "ben"],
    );
    expect(outcome.accepted).toBe(1);
    expect(outcome.rejected).toEqual([
      expect.objectContaining({
        index: 1,
        error: "before_tenant",
        field: "start_time",
        message: expect.stringContaining("2026-03-01"),
      }),
    ]);
    await computeBilling(env.DB, at("2026-03-21T00:00:00Z"), GRACE_DAYS);
    expect(await periods(t.id)).toEqual([["2026-03", 1, "open", 0]]);
  });

  it("take the first period's days when the term starts after the tenant was created", async () => {
    // Anchored on the 15th: the tenant's first period is Feb 15 to Mar 14, the term starts Mar 15.
    const t = await tenant("2026-03-10T09:00:00Z", "2026-03-15");
    const outcome = await send(
      t,
      "2026-03-10T10:00:00Z",
      ["2026-02-20T10:00:00Z", "ann"],
      ["2026-02-14T23:45:00Z", "ben"],
    );
    expect([outcome.accepted, outcome.rejected.map((r) => r.error)]).toEqual([1, ["before_tenant"]]);
    await computeBilling(env.DB, at("2026-03-11T00:00:00Z"), GRACE_DAYS);
    expect(await periods(t.id)).toEqual([["2026-02", 1, "open", 0]]);
  });

  it("count in a period before the first one during its grace days, then store late, whenever the cron ran", async () => {
    // The term began March 1; the tenant was created April 2, inside March's grace days (to April 4).
    const figures = async (cronInBetween: boolean) => {
      const t = await tenant("2026-04-02T08:00:00Z", "2026-03-01");
      expect((await send(t, "2026-04-02T09:00:00Z", ["2026-03-30T10:00:00Z", "ann"])).accepted).toBe(1);
      if (cronInBetween) await computeBilling(env.DB, at("2026-04-02T10:00:00Z"), GRACE_DAYS);
      // March is final from April 4, 00:00, before any cron run closes it.
      const late = await send(t, "2026-04-04T00:00:00Z", ["2026-03-31T10:00:00Z", "ben"]);
      expect([late.accepted, late.rejected]).toEqual([1, []]);
      const stored = await env.DB.prepare("SELECT late FROM usage_reports WHERE tenant_id = ?1 ORDER BY start_time")
        .bind(t.id)
        .all<{ late: number }>();
      expect(stored.results.map((r) => r.late)).toEqual([0, 1]);
      await computeBilling(env.DB, at("2026-04-04T01:00:00Z"), GRACE_DAYS);
      // Once March's row is final, a report for it is late by the row.
      await send(t, "2026-04-05T00:00:00Z", ["2026-03-29T10:00:00Z", "cat"]);
      await computeBilling(env.DB, at("2026-04-05T01:00:00Z"), GRACE_DAYS);
      return periods(t.id);
    };
    const expected = [
      ["2026-03", 1, "final", 2],
      ["2026-04", 0, "open", 0],
    ];
    expect(await figures(false)).toEqual(expected);
    expect(await figures(true)).toEqual(expected);
  });

  it("store a report for a period final before the tenant existed as late, giving that period no figures", async () => {
    // The term began January 15; February's period (Feb 15 to Mar 14) was final on March 18.
    const t = await tenant("2026-03-20T09:00:00Z", "2026-01-15");
    const outcome = await send(
      t,
      "2026-03-20T10:00:00Z",
      ["2026-02-20T10:00:00Z", "ann"],
      ["2026-03-16T10:00:00Z", "ben"],
    );
    expect([outcome.accepted, outcome.rejected]).toEqual([2, []]);
    await computeBilling(env.DB, at("2026-03-21T00:00:00Z"), GRACE_DAYS);
    expect(await periods(t.id)).toEqual([["2026-03", 1, "open", 0]]);
    const late = await env.DB.prepare("SELECT day, reports FROM late_usage_reports WHERE tenant_id = ?1")
      .bind(t.id)
      .all();
    expect(late.results).toEqual([{ day: "2026-02-20", reports: 1 }]);
  });
});
