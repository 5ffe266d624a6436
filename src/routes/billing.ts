import { Hono } from "hono";
import { z } from "zod";
import { requireAdmin } from "../auth/require-admin";
import { readBillingUsage } from "../db/billing";
import { findTenant } from "../db/tenants";
import type { AppEnv } from "../env";
import { toCsv } from "../http/csv";
import { ApiError } from "../http/errors";

const querySchema = z.object({
  month: z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, "must be a month, YYYY-MM"),
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

/** The operator's billing API: each tenant's figures for a month, as JSON or CSV. */
export const billingRoutes = new Hono<AppEnv>().get("/usage", requireAdmin, async (c) => {
  const parsed = querySchema.safeParse(c.req.query());
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    throw new ApiError(
      400,
      "invalid_query",
      `${issue?.path.join(".") || "query"}: ${issue?.message ?? "invalid"} (expected ?month=YYYY-MM[&tenant=<id or name>])`,
    );
  }
  const { month, tenant: tenantRef } = parsed.data;
  let tenantId: string | undefined;
  if (tenantRef !== undefined) {
    const tenant = await findTenant(c.env.DB, tenantRef);
    if (!tenant) throw new ApiError(404, "unknown_tenant", `no tenant has the id or name "${tenantRef}"`);
    tenantId = tenant.id;
  }

  const rows = (await readBillingUsage(c.env.DB, month, tenantId)).map((row) => ({
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
  }));

  if (wantsCsv(c.req.header("accept"))) {
    c.header("Content-Type", "text/csv; charset=utf-8");
    c.header("Content-Disposition", `attachment; filename="edgehog-billing-${month}.csv"`);
    return c.body(toCsv(BILLING_COLUMNS, rows));
  }
  return c.json({ month, rows });
});

function wantsCsv(accept: string | undefined): boolean {
  return accept?.split(",").some((type) => type.split(";", 1)[0]?.trim().toLowerCase() === "text/csv") ?? false;
}
