import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../http/context";
import { validJson } from "../http/validation";
import { changeTerm } from "./terms";

/**
 * `POST /v1/admin/tenants/{id or name}/term` (operator API, mounted under /v1/admin beside the
 * tenant endpoints): changes a tenant's subscription term (terms.ts says what may change).
 */

// The values are checked by checkTerm, for every caller (400 invalid_term).
const termSchema = z
  .object({ term_start: z.string().max(32).optional(), term_months: z.number().optional() })
  .refine((body) => body.term_start !== undefined || body.term_months !== undefined, {
    message: "give term_start (YYYY-MM-DD), term_months, or both",
  });

export const billingAdminRoutes = new Hono<AppEnv>().post("/tenants/:tenant/term", validJson(termSchema), async (c) => {
  const change = await changeTerm(c.env.DB, c.req.param("tenant"), c.req.valid("json"), Date.now());
  return c.json({
    tenant: { ...change.tenant, created_at: new Date(change.tenant.created_at).toISOString() },
    current_term: { start: change.currentTerm.start, end: change.currentTerm.end },
    current_period: change.currentPeriod,
  });
});
