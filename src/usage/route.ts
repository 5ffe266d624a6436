import { Hono } from "hono";
import { bodyLimitsOf, readJsonBody } from "../http/read-body";
import { requireTenant, type TenantEnv } from "../tenants/auth";
import type { UsageReport } from "./schema";
import { storeReports } from "./store";
import { validateReports } from "./validate";

/**
 * `POST /v1/usage`: billing reports from a tenant's clusters (Bearer tenant token). Each
 * report is judged on its own; the answer is 202 once the accepted ones are committed to D1,
 * 400 if every report was rejected.
 */
export const usageRoutes = new Hono<TenantEnv>().post("/", requireTenant, async (c) => {
  const receivedAt = Date.now();
  const tenantId = c.var.tenant.id;
  const body = await readJsonBody(c.req.raw, bodyLimitsOf(c.env));
  const validated = validateReports(body, receivedAt);
  // Charged before anything is written: a refused request leaves no trace.
  await c.var.limiter.chargeTenant(
    tenantId,
    validated.accepted.reduce((n, r) => n + reportUnits(r.report), 0),
  );
  const stored = await storeReports(c.env.DB, tenantId, validated.accepted, receivedAt);
  const result = {
    accepted: stored.accepted,
    duplicates: stored.duplicates + validated.duplicates,
    rejected: validated.rejected,
  };
  return c.json(result, validated.rejected.length === validated.total ? 400 : 202);
});

/** What a report costs against its tenant's rate limit: one, plus one per record or resource id. */
function reportUnits(report: UsageReport): number {
  if (report.kind === "resource_presence") return 1 + report.resources.reduce((n, r) => n + r.ids.length, 0);
  return 1 + report.records.length;
}
