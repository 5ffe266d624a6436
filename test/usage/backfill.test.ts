import { env, exports } from "cloudflare:workers";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { operatorApi } from "../../scripts/lib/operator-api.mjs";
import { backfill, reportsIn } from "../../scripts/lib/usage-backfill.mjs";
import { computeBilling } from "../../src/billing/compute";
import { DAY_MS, HOUR_MS, utcDay } from "../../src/lib/time";
import { createTenant, issueToken } from "../../src/tenants/admin";
import { forgetCachedTokens } from "../../src/tenants/verify";
import { answerOf, bearer, countRows, operator, post, rows } from "../helpers/harness";
import { userActivityReport } from "../helpers/reports";

/**
 * The operator's backfill, `POST /v1/admin/tenants/{tenant}/usage/backfill`: reports older than
 * the tenant's doors take are stored, within the tenant's billing start, the retention of raw
 * reports and the clock; those for a final period are stored late and change no billed figure,
 * those for an open period count; the answer says which, per report and in totals.
 */

const GRACE_DAYS = 3;
const RETENTION_DAYS = Number(env.USAGE_REPORT_RETENTION_DAYS);

function postBackfill(tenant: string, reports: unknown[], headers = operator()) {
  return answerOf(post(`/v1/admin/tenants/${tenant}/usage/backfill`, { reports }, { headers }));
}

const ago = (ms: number) => new Date(Date.now() - ms).toISOString();

const billingRows = (tenantId: string) =>
  rows<{ month: string; period_start: string; period_end: string; mau: number; state: string }>(
    "SELECT month, period_start, period_end, mau, mau_high_water, state, computed_at FROM billing_usage WHERE tenant_id = ?1 ORDER BY month",
    tenantId,
  );

beforeEach(() => forgetCachedTokens());

describe("POST /v1/admin/tenants/{tenant}/usage/backfill", () => {
  it("needs the operator token and a known tenant", async () => {
    const tenant = await createTenant(env.DB, { name: "backfill-auth-co", now: Date.now() });
    const reports = [await userActivityReport({ start: ago(HOUR_MS), users: ["ann"] })];
    const issued = await issueToken(env.DB, tenant.id, { now: Date.now() });
    for (const headers of [{}, bearer("wrong-token"), bearer(issued.token)]) {
      const { status, body } = await postBackfill(tenant.name, reports, headers);
      expect(status).toBe(401);
      expect(body).toMatchObject({ error: "unauthorized" });
    }
    expect(await countRows("usage_reports", "tenant_id = ?1", tenant.id)).toBe(0);
    expect((await postBackfill("no-such-tenant", reports)).body).toMatchObject({ error: "unknown_tenant" });
  });

  it("stores old reports: late for final periods, counted for open ones, and says which", async () => {
    const created = Date.now() - 200 * DAY_MS;
    const tenant = await createTenant(env.DB, { name: "backfill-co", now: created });
    await computeBilling(env.DB, Date.now(), GRACE_DAYS);
    const before = await billingRows(tenant.id);

    const old = await userActivityReport({ start: ago(100 * DAY_MS), users: ["ann"] });
    const older = await userActivityReport({ start: ago(60 * DAY_MS), users: ["ben"] });
    const recent = await userActivityReport({ start: ago(HOUR_MS), users: ["cat"] });
    const refused = [
      // Before the billing start: the default term starts on the 1st of the creation month.
      await userActivityReport({
        start: new Date(Date.parse(`${utcDay(created).slice(0, 7)}-01`) - 1).toISOString(),
        users: ["x"],
      }),
      await userActivityReport({ start: ago((RETENTION_DAYS + 1) * DAY_MS), users: ["x"] }),
      await userActivityReport({ start: new Date(Date.now() + 2 * HOUR_MS).toISOString(), users: ["x"] }),
    ];
    // The tenant's own door refuses the 60-day-old report.
    const token = (await issueToken(env.DB, tenant.id, { now: Date.now() })).token;
    const own = await post("/v1/usage", { reports: [older] }, { headers: bearer(token) });
    expect(await own.json()).toMatchObject({
      rejected: [{ error: "too_old", message: expect.stringMatching(/backfill/) }],
    });

    const { status, body } = await postBackfill(tenant.name, [old, older, recent, ...refused, recent]);
    expect(status).toBe(200);
    expect(body).toEqual({
      accepted: 3,
      counted: 1,
      late: 2,
      duplicates: 1,
      rejected: [
        expect.objectContaining({ index: 3, error: "before_tenant", field: "start_time" }),
        expect.objectContaining({ index: 4, error: "too_old", field: "start_time" }),
        expect.objectContaining({ index: 5, error: "invalid_window", field: "start_time" }),
      ],
      reports: [
        { index: 0, report_uuid: old.report_uuid, stored: "late" },
        { index: 1, report_uuid: older.report_uuid, stored: "late" },
        { index: 2, report_uuid: recent.report_uuid, stored: "counted" },
      ],
    });
    // A resend is a duplicate, report by report.
    const again = await postBackfill(tenant.id, [old, recent]);
    expect(again.body).toMatchObject({
      accepted: 0,
      counted: 0,
      late: 0,
      duplicates: 2,
      reports: [
        { index: 0, stored: "duplicate" },
        { index: 1, stored: "duplicate" },
      ],
    });

    // Final periods keep their figures; the open one counts cat.
    await computeBilling(env.DB, Date.now(), GRACE_DAYS);
    const after = await billingRows(tenant.id);
    const final = (rows: typeof before) => rows.filter((row) => row.state === "final");
    expect(final(after)).toEqual(final(before));
    const recentDay = utcDay(Date.parse(recent.start_time as string));
    const open = after.find((row) => row.period_start <= recentDay && recentDay <= row.period_end);
    expect(open).toMatchObject({ mau: 1, state: "open" });
    const late = await env.DB.prepare("SELECT day, reports FROM late_usage_reports WHERE tenant_id = ?1 ORDER BY day")
      .bind(tenant.id)
      .all();
    expect(late.results).toEqual([
      { day: utcDay(Date.parse(old.start_time as string)), reports: 1 },
      { day: utcDay(Date.parse(older.start_time as string)), reports: 1 },
    ]);
  });
});

describe("npm run tenant -- backfill", () => {
  it("sends a file's reports in requests the collector takes, and adds up the answers", async () => {
    const tenant = await createTenant(env.DB, { name: "backfill-script-co", now: Date.now() - 100 * DAY_MS });
    await computeBilling(env.DB, Date.now(), GRACE_DAYS);
    const nil = "00000000-0000-0000-0000-000000000000";
    const reports = [
      ...(await Promise.all(
        Array.from({ length: 20 }, (_, i) =>
          userActivityReport({ start: ago(i < 5 ? 60 * DAY_MS : HOUR_MS), users: [`user-${i}`] }),
        ),
      )),
      // The third request carries only refused reports: the collector answers 400 for it.
      ...(await Promise.all([0, 1, 2].map(() => userActivityReport({ uuid: nil, start: ago(HOUR_MS), users: ["x"] })))),
    ];
    const file = reports.map((report) => JSON.stringify(report)).join("\n");
    const requests = vi
      .spyOn(globalThis, "fetch")
      .mockImplementation((input, init) => exports.default.fetch(input, init));
    try {
      const call = operatorApi("http://edgehog.test", env.ADMIN_TOKEN);
      const totals = await backfill(call, tenant.name, reportsIn(file));
      expect(requests).toHaveBeenCalledTimes(3);
      expect(totals).toEqual({
        accepted: 20,
        counted: 15,
        late: 5,
        duplicates: 0,
        rejected: [20, 21, 22].map((index) => expect.objectContaining({ index, error: "invalid_uuid" })),
      });
      const again = await backfill(call, tenant.id, reportsIn(`{ "reports": ${JSON.stringify(reports)} }`));
      expect(again).toMatchObject({ accepted: 0, duplicates: 20 });
      expect(again.rejected).toHaveLength(3);
    } finally {
      requests.mockRestore();
    }
  });
});
