import { z } from "zod";
import { OPERATOR_SECURITY, operatorErrorResponses } from "../admin/operator";
import { billingGraceDaysOf } from "../billing/report-bounds";
import { jsonResponse, READ_BY_HAND, routesApp } from "../http/openapi";
import { bodyLimitsOf, readJsonBody } from "../http/read-body";
import { DAY_MS } from "../lib/time";
import type { LimiterEnv } from "../ratelimit/middleware";
import { requireTenantByRef } from "../tenants/admin";
import { usageReportRetentionDaysOf } from "./retention";
import { USAGE_ERRORS, usageResultSchema } from "./routes";
import { usageBodySchema } from "./schema";
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
export const usageBackfillRoutes = routesApp<LimiterEnv>();

usageBackfillRoutes.post("/tenants/:tenant/usage/backfill", async (c) => {
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

usageBackfillRoutes.openAPIRegistry.registerPath({
  method: "post",
  path: "/tenants/{tenant}/usage/backfill",
  tags: ["usage"],
  summary: "Store a tenant's usage reports that its own doors would refuse as too old",
  description: READ_BY_HAND,
  security: OPERATOR_SECURITY,
  request: {
    params: z.object({ tenant: z.string().describe("the tenant's id or name") }),
    body: { required: true, content: { "application/json": { schema: usageBodySchema } } },
  },
  responses: {
    200: jsonResponse(
      "some reports were stored: each accepted one says whether it was counted, stored late or stored already",
      usageResultSchema.extend({
        counted: z.number().int(),
        late: z.number().int(),
        reports: z.array(
          z.object({
            index: z.number().int(),
            report_uuid: z.string(),
            stored: z.enum(["counted", "late", "duplicate"]),
          }),
        ),
      }),
    ),
    ...operatorErrorResponses(...USAGE_ERRORS.filter((code) => code !== "tenant_disabled"), "unknown_tenant"),
    400: jsonResponse("every report was rejected, or the request was refused whole", usageResultSchema),
  },
});
