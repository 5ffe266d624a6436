import { type Context, Hono } from "hono";
import { accepts } from "hono/accepts";
import { z } from "zod";
import type { AppEnv } from "../http/context";
import { toCsv } from "../http/csv";
import { ApiError } from "../http/errors";
import { validQuery } from "../http/validation";
import { findTenant } from "../tenants/store";
import { type BillingReportRow, readBillingUsage } from "./queries";

/** `GET /v1/billing/usage`: the operator's billing API, each tenant's figures for a month as JSON or CSV. */

/** A UTC calendar month, `YYYY-MM`. */
export const monthSchema = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, "must be a month, YYYY-MM");

const querySchema = z.object({
  month: monthSchema,
  tenant: z.string().min(1).max(128).optional(),
});

/** The columns of a billing row, in the order the JSON and the CSV give them. */
export const BILLING_COLUMNS = [
  "tenant_id",
  "tenant_name",
  "mau",
  "tpr",
  "mwi",
  "mau_high_water",
  "tpr_high_water",
  "mwi_high_water",
  "final",
  "computed_at",
] as const;

/** A billing row as the API (JSON and CSV) and the dashboard's download give it. */
export function billingReportRow(row: BillingReportRow) {
  return {
    tenant_id: row.tenant_id,
    tenant_name: row.tenant_name,
    mau: row.mau,
    tpr: row.tpr,
    mwi: row.mwi,
    mau_high_water: row.mau_high_water,
    tpr_high_water: row.tpr_high_water,
    mwi_high_water: row.mwi_high_water,
    final: row.final,
    computed_at: new Date(row.computed_at).toISOString(),
  };
}

/** A month's rows as a CSV download: the API's `Accept: text/csv` answer, and the dashboard's. */
export function billingCsv(c: Context, month: string, rows: readonly BillingReportRow[]): Response {
  c.header("Content-Type", "text/csv; charset=utf-8");
  c.header("Content-Disposition", `attachment; filename="edgehog-billing-${month}.csv"`);
  return c.body(toCsv(BILLING_COLUMNS, rows.map(billingReportRow)));
}

export const billingRoutes = new Hono<AppEnv>().get(
  "/usage",
  validQuery(querySchema, "?month=YYYY-MM[&tenant=<id or name>]"),
  async (c) => {
    const { month, tenant: tenantRef } = c.req.valid("query");
    let tenantId: string | undefined;
    if (tenantRef !== undefined) {
      const tenant = await findTenant(c.env.DB, tenantRef);
      if (!tenant) throw new ApiError(404, "unknown_tenant", `no tenant has the id or name "${tenantRef}"`);
      tenantId = tenant.id;
    }

    const rows = await readBillingUsage(c.env.DB, month, tenantId);

    const type = accepts(c, {
      header: "Accept",
      supports: ["application/json", "text/csv"],
      default: "application/json",
    });
    if (type === "text/csv") return billingCsv(c, month, rows);
    return c.json({ month, rows: rows.map(billingReportRow) });
  },
);
