import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { OPERATOR_SECURITY, operatorErrorResponses } from "../admin/operator";
import type { AppEnv } from "../http/context";
import { jsonResponse, routesApp } from "../http/openapi";
import { monthSchema } from "../http/schemas";
import { isoTime } from "../lib/time";
import { requireTenantByRef, tenantRefSchema } from "../tenants/admin";
import { contractJson, readContract } from "./contracts";
import { exportDownload } from "./export";
import { MAX_HISTORY_MONTHS, readHistory } from "./history";
import { billingReportRow, billingRowSchema } from "./report-row";
import { readReporting, reportingSilenceHoursOf, type TenantReporting } from "./reporting";

/**
 * The operator's billing operations, mounted into the operator group under /v1/billing beside
 * the figures:
 *
 * - `GET /reporting[?tenant=]`: each tenant that must report (or the one named), its clusters'
 *   last reported hour per kind, and which are silent (reporting.ts);
 * - `GET /usage/history?tenant=&months=12[&to=YYYY-MM]`: the tenant's figures per period (history.ts);
 * - `GET /usage/export?tenant=&month=`: a period's evidence as CSV (export.ts).
 */

const when = z.string().nullable().describe("ISO 8601, or null");

const reportingSchema = z
  .object({
    tenant_id: z.string(),
    tenant_name: z.string(),
    reporting_required: z.boolean(),
    reporting_required_since: when,
    last_report_at: when.describe("the start of the latest hour any cluster reported for"),
    silent: z.boolean(),
    flagged_at: when.describe("when the hourly job flagged the tenant's silence (a webhook was sent)"),
    clusters: z.array(
      z.object({
        cluster_name: z.string().describe("the cluster's digest"),
        last_report_at: when,
        kinds: z.record(z.string(), when).describe("the latest hour reported, per report kind"),
        silent: z.boolean(),
        flagged_at: when,
      }),
    ),
  })
  .meta({ id: "TenantReporting" });

/** A tenant's reporting as the API gives it. */
function reportingJson(tenant: TenantReporting): z.infer<typeof reportingSchema> {
  return {
    tenant_id: tenant.tenant_id,
    tenant_name: tenant.tenant_name,
    reporting_required: tenant.reporting_required,
    reporting_required_since: isoTime(tenant.reporting_since),
    last_report_at: isoTime(tenant.last_report_at),
    silent: tenant.silent,
    flagged_at: isoTime(tenant.flagged[""] ?? null),
    clusters: tenant.clusters.map((cluster) => ({
      cluster_name: cluster.cluster_name,
      last_report_at: isoTime(cluster.last_report_at),
      kinds: Object.fromEntries(Object.entries(cluster.kinds).map(([kind, ms]) => [kind, isoTime(ms)])),
      silent: cluster.silent,
      flagged_at: isoTime(tenant.flagged[cluster.cluster_name] ?? null),
    })),
  };
}

const common = { tags: ["billing"], security: OPERATOR_SECURITY };

const reportingRoute = createRoute({
  ...common,
  method: "get",
  path: "/reporting",
  summary: "Silent reporters: each tenant that must report (or the one named), its clusters' last reports",
  request: { query: z.object({ tenant: tenantRefSchema.optional() }) },
  responses: {
    200: jsonResponse(
      "the silence window (REPORTING_SILENCE_HOURS) and each tenant's reporting",
      z.object({ silence_hours: z.number(), tenants: z.array(reportingSchema) }),
    ),
    ...operatorErrorResponses("invalid_query", "unknown_tenant"),
  },
});

const historyRoute = createRoute({
  ...common,
  method: "get",
  path: "/usage/history",
  summary: "A tenant's figures per period over its last months, with their peaks",
  request: {
    query: z.object({
      tenant: tenantRefSchema,
      months: z.coerce
        .number()
        .int()
        .min(1)
        .max(MAX_HISTORY_MONTHS)
        .default(12)
        .describe(`periods to give, 1 to ${MAX_HISTORY_MONTHS}`),
      to: monthSchema.optional().describe("the last period's month (default: the current period)"),
    }),
  },
  responses: {
    200: jsonResponse(
      "the periods, oldest first (a period the cron never computed is left out)",
      z.object({
        tenant_id: z.string(),
        tenant_name: z.string(),
        months: z.number(),
        from: z.string(),
        to: z.string(),
        current_period: z.object({ month: z.string(), start: z.string(), end: z.string() }),
        contract: z.looseObject({}).nullable().describe("the tenant's contract (GET …/contract), or null"),
        peak: z.object({ mau: z.number(), tpr: z.number(), mwi: z.number() }),
        periods: z.array(billingRowSchema.extend({ month: z.string(), state: z.string() })),
      }),
    ),
    ...operatorErrorResponses("invalid_query", "unknown_tenant"),
  },
});

const exportRoute = createRoute({
  ...common,
  method: "get",
  path: "/usage/export",
  summary: "A period's evidence as CSV: its figures, their days and hours, per cluster, and every report stored",
  request: { query: z.object({ tenant: tenantRefSchema, month: monthSchema }) },
  responses: {
    200: {
      description: "the CSV (docs/BILLING.md describes its lines)",
      content: { "text/csv": { schema: z.string() } },
    },
    ...operatorErrorResponses("invalid_query", "unknown_tenant"),
  },
});

export const billingOperationsRoutes = routesApp<AppEnv>()
  .openapi(reportingRoute, async (c) => {
    const ref = c.req.valid("query").tenant;
    const tenantId = ref === undefined ? undefined : (await requireTenantByRef(c.env.DB, ref)).id;
    const hours = reportingSilenceHoursOf(c.env);
    const tenants = await readReporting(c.env.DB, Date.now(), hours, tenantId);
    return c.json({ silence_hours: hours, tenants: tenants.map(reportingJson) }, 200);
  })
  .openapi(historyRoute, async (c) => {
    const { tenant: ref, months, to } = c.req.valid("query");
    const tenant = await requireTenantByRef(c.env.DB, ref);
    const [history, contract] = await Promise.all([
      readHistory(c.env.DB, tenant, months, Date.now(), to),
      readContract(c.env.DB, tenant.id),
    ]);
    return c.json(
      {
        tenant_id: tenant.id,
        tenant_name: tenant.name,
        months,
        from: history.from,
        to: history.to,
        current_period: history.current,
        contract: contract && contractJson(contract),
        peak: history.peak,
        periods: history.rows.map((row) => ({ month: row.month, state: row.state, ...billingReportRow(row) })),
      },
      200,
    );
  })
  .openapi(exportRoute, async (c) => {
    const { tenant: ref, month } = c.req.valid("query");
    return exportDownload(c, c.env.DB, await requireTenantByRef(c.env.DB, ref), month);
  });
