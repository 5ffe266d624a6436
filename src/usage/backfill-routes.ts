import { Hono } from "hono";
import { billingGraceDaysOf } from "../billing/compute";
import { bodyLimitsOf, readJsonBody } from "../http/read-body";
import { DAY_MS } from "../lib/time";
import type { LimiterEnv } from "../ratelimit/middleware";
import { requireTenantByRef } from "../tenants/admin";
import { usageReportRetentionDaysOf } from "./retention";
import { judgeAndStore } from "./submit";

/**
 * `POST /v1/admin/tenants/{id or name}/usage/backfill` (operator API, behind ADMIN_TOKEN with
 * the rest of /v1/admin): an operator stores usage reports of a tenant that its own doors would
 * refuse as too old, such as the history of a tenant moving from another collector. The body is
 * `POST /v1/usage`'s, judged and stored by the same code, with these differences:
 *
 * - a report may be as old as raw reports are kept (USAGE_REPORT_RETENTION_DAYS) instead of 35
 *   days: an older one would be deleted by the next purge, and its resend then taken again;
 * - the tenant's rate limit is not charged (the operator's client is, per request and body);
 * - the answer says of each report whether it was counted, stored late or already stored.
 *
 * The tenant's billing start still bounds it (src/billing/report-bounds.ts), and so does the
 * clock. A report for a period that is closed is stored late: it never changes billed figures.
 */
export const usageAdminRoutes = new Hono<LimiterEnv>().post("/tenants/:tenant/usage/backfill", async (c) => {
  const receivedAt = Date.now();
  const tenant = await requireTenantByRef(c.env.DB, c.req.param("tenant"));
  const body = await readJsonBody(c.req.raw, bodyLimitsOf(c.env), c.var.limiter.chargeBody);
  const { outcome, accepted, stored } = await judgeAndStore(
    c.env.DB,
    tenant,
    body,
    { receivedAt, graceDays: billingGraceDaysOf(c.env) },
    usageReportRetentionDaysOf(c.env) * DAY_MS,
    async () => {}, // the operator sends these, not the tenant: its rate limit is not charged
  );
  return c.json(
    {
      accepted: outcome.accepted,
      counted: outcome.accepted - stored.late,
      late: stored.late,
      duplicates: outcome.duplicates,
      rejected: outcome.rejected,
      reports: accepted.map((validated, i) => ({
        index: validated.index,
        report_uuid: validated.report.report_uuid,
        stored: stored.fates[i],
      })),
    },
    outcome.allRejected ? 400 : 200,
  );
});
