import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { computeBilling } from "../../src/billing/compute";
import { DAY_MS } from "../../src/lib/time";
import { createTenant } from "../../src/tenants/admin";
import { purgeUsageReports, usageReportRetentionDaysOf } from "../../src/usage/retention";
import { storeReports } from "../../src/usage/store";
import { validateReports } from "../../src/usage/validate";
import { aggregatesOf } from "../helpers/aggregates";
import { runHourlyCron } from "../helpers/harness";
import { userActivityReport } from "../helpers/reports";

/** Raw usage reports go after USAGE_REPORT_RETENTION_DAYS, and only once their period is final. */

const at = (iso: string) => Date.parse(iso);

async function storeAt(tenantId: string, start: string) {
  const now = at(start) + DAY_MS;
  const validated = validateReports({ reports: [await userActivityReport({ start, users: ["ann"] })] }, now, 0);
  await storeReports(env.DB, tenantId, validated.accepted, now);
}

const reportsOf = async (tenantId: string) =>
  (
    await env.DB.prepare("SELECT substr(hour, 1, 10) AS day FROM usage_reports WHERE tenant_id = ?1 ORDER BY hour")
      .bind(tenantId)
      .all<{ day: string }>()
  ).results.map((r) => r.day);

describe("raw usage report retention (cron)", () => {
  it("deletes reports past the retention whose period is final, and keeps aggregates and figures", async () => {
    const billed = await createTenant(env.DB, { name: "old-co", now: at("2025-01-01T00:00:00Z") });
    const unbilled = await createTenant(env.DB, { name: "unbilled-co", now: at("2025-01-01T00:00:00Z") });
    for (const start of ["2025-01-10T10:00:00Z", "2025-02-10T10:00:00Z", "2025-03-10T10:00:00Z"]) {
      await storeAt(billed.id, start);
      await storeAt(unbilled.id, start);
    }
    await computeBilling(env.DB, at("2025-04-05T00:00:00Z"), 3); // January to March final
    // As if the cron had never billed the other tenant: its periods are not final.
    await env.DB.prepare("DELETE FROM billing_usage WHERE tenant_id = ?1").bind(unbilled.id).run();
    const aggregates = await aggregatesOf(billed.id);
    const figures = await env.DB.prepare("SELECT * FROM billing_usage WHERE tenant_id = ?1 ORDER BY month")
      .bind(billed.id)
      .all();

    // 400 days after 2025-02-10 10:00 (and before 2025-03-10's 400th day).
    const now = at("2025-02-10T10:00:00Z") + 400 * DAY_MS + 1;
    expect(await purgeUsageReports(env.DB, now, 400)).toBe(2);
    expect(await reportsOf(billed.id)).toEqual(["2025-03-10"]);
    expect(await reportsOf(unbilled.id)).toEqual(["2025-01-10", "2025-02-10", "2025-03-10"]);
    expect(await aggregatesOf(billed.id)).toEqual(aggregates);
    const kept = await env.DB.prepare(
      "SELECT * FROM billing_usage WHERE tenant_id = ?1 AND month <= '2025-03' ORDER BY month",
    )
      .bind(billed.id)
      .all();
    expect(kept.results).toEqual(figures.results.filter((row) => String(row.month) <= "2025-03"));

    // The hourly cron bills the other tenant, then purges its reports too.
    await runHourlyCron(now);
    expect(await reportsOf(unbilled.id)).toEqual(["2025-03-10"]);
  });

  it("is at least 36 days, longer than reports may be late, and 400 by default", () => {
    expect(usageReportRetentionDaysOf({})).toBe(400);
    expect(usageReportRetentionDaysOf({ USAGE_REPORT_RETENTION_DAYS: "36" })).toBe(36);
    expect(() => usageReportRetentionDaysOf({ USAGE_REPORT_RETENTION_DAYS: "35" })).toThrow(/at least 36/);
  });
});
