import { Hono } from "hono";
import { billingGraceDaysOf } from "../billing/compute";
import { bodyLimitsOf, readJsonBody } from "../http/read-body";
import { requireTenant, type TenantEnv } from "../tenants/auth";
import { submitReports } from "./submit";

/**
 * `POST /v1/usage`: billing reports from a tenant's clusters (Bearer tenant token). Each
 * report is judged on its own; the answer is 202 once the accepted ones are committed to D1,
 * 400 if every report was rejected.
 */
export const usageRoutes = new Hono<TenantEnv>().post("/", requireTenant, async (c) => {
  const receivedAt = Date.now();
  const body = await readJsonBody(c.req.raw, bodyLimitsOf(c.env), c.var.limiter.chargeBody);
  const { allRejected, ...result } = await submitReports(c.env.DB, c.var.limiter, c.var.tenant, body, {
    receivedAt,
    graceDays: billingGraceDaysOf(c.env),
  });
  return c.json(result, allRejected ? 400 : 202);
});
