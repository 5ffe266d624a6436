import { createRoute } from "@hono/zod-openapi";
import { accepts } from "hono/accepts";
import { z } from "zod";
import { OPERATOR_SECURITY, operatorErrorResponses } from "../admin/operator";
import type { AppEnv } from "../http/context";
import { jsonResponse, routesApp } from "../http/openapi";
import { monthSchema } from "../http/schemas";
import { requireTenantByRef } from "../tenants/admin";
import { billingDetail } from "./detail";
import { readBillingUsage } from "./queries";
import { billingCsv, billingReportRow, billingRowSchema } from "./report-row";

/**
 * The operator's billing API (mounted into the operator group under /v1/billing):
 * `GET /v1/billing/usage`, each tenant's figures for a period as JSON or CSV, and
 * `GET /v1/billing/usage/detail`, how one tenant's figures were reached.
 */

const tenantRef = z.string().min(1).max(128).describe("a tenant's id or name");

const usageRoute = createRoute({
  method: "get",
  path: "/usage",
  tags: ["billing"],
  summary: "Each tenant's billing figures for the period starting in a month (JSON, or CSV with Accept: text/csv)",
  security: OPERATOR_SECURITY,
  request: { query: z.object({ month: monthSchema, tenant: tenantRef.optional() }) },
  responses: {
    200: {
      description: "the period's rows",
      content: {
        "application/json": { schema: z.object({ month: z.string(), rows: z.array(billingRowSchema) }) },
        "text/csv": { schema: z.string().describe("the same rows, one per line, columns in the JSON's order") },
      },
    },
    ...operatorErrorResponses("invalid_query", "unknown_tenant"),
  },
});

const detailRoute = createRoute({
  method: "get",
  path: "/usage/detail",
  tags: ["billing"],
  summary: "How one tenant's figures for a period were reached",
  security: OPERATOR_SECURITY,
  request: { query: z.object({ month: monthSchema, tenant: tenantRef }) },
  responses: {
    200: jsonResponse("the period's series and figures"),
    ...operatorErrorResponses("invalid_query", "unknown_tenant"),
  },
});

export const billingRoutes = routesApp<AppEnv>()
  .openapi(usageRoute, async (c) => {
    const { month, tenant: ref } = c.req.valid("query");
    const tenantId = ref === undefined ? undefined : (await requireTenantByRef(c.env.DB, ref)).id;
    const rows = await readBillingUsage(c.env.DB, month, tenantId);
    const type = accepts(c, {
      header: "Accept",
      supports: ["application/json", "text/csv"],
      default: "application/json",
    });
    if (type === "text/csv") return billingCsv(c, month, rows);
    return c.json({ month, rows: rows.map((row) => billingReportRow(row)) }, 200);
  })
  .openapi(detailRoute, async (c) => {
    const { month, tenant: ref } = c.req.valid("query");
    const tenant = await requireTenantByRef(c.env.DB, ref);
    return c.json(await billingDetail(c.env.DB, tenant, month), 200);
  });
