import { Hono } from "hono";
import { limitsOf } from "../config";
import { readJsonBody } from "../http/read-body";
import { requireTenant, type TenantEnv } from "../tenants/require-tenant";
import { storeReports } from "../usage/store-reports";
import { validateReports } from "../usage/validate-reports";

/**
 * `POST /v1/usage`: billing reports from a tenant's clusters (Bearer tenant token). Each
 * report is judged on its own; the answer is 202 once the accepted ones are committed to D1,
 * 400 if every report was rejected.
 */
export const usageRoutes = new Hono<TenantEnv>().post("/", requireTenant, async (c) => {
  const receivedAt = Date.now();
  const body = await readJsonBody(c.req.raw, limitsOf(c.env));
  const validated = validateReports(body, receivedAt);
  const stored = await storeReports(c.env.DB, c.var.tenant.id, validated.reports, receivedAt);
  const result = {
    accepted: stored.accepted,
    duplicates: stored.duplicates + validated.duplicates,
    rejected: validated.rejected,
  };
  return c.json(result, validated.rejected.length === validated.total ? 400 : 202);
});
