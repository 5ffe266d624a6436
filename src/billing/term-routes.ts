import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { OPERATOR_SECURITY, operatorErrorResponses } from "../admin/operator";
import type { AppEnv } from "../http/context";
import { jsonResponse, routesApp } from "../http/openapi";
import { termRequestFields } from "../tenants/admin";
import { changeTerm } from "./terms";

/**
 * `POST /v1/admin/tenants/{id or name}/term` (operator API, mounted under /v1/admin beside the
 * tenant endpoints): changes a tenant's subscription term (terms.ts says what may change).
 */

const termRoute = createRoute({
  method: "post",
  path: "/tenants/{tenant}/term",
  tags: ["tenants"],
  summary: "Change a tenant's subscription term",
  security: OPERATOR_SECURITY,
  request: {
    params: z.object({ tenant: z.string().describe("the tenant's id or name") }),
    body: {
      required: true,
      content: {
        "application/json": {
          schema: z
            .object(termRequestFields)
            .refine((body) => body.term_start !== undefined || body.term_months !== undefined, {
              message: "give term_start (YYYY-MM-DD), term_months, or both",
            }),
        },
      },
    },
  },
  responses: {
    200: jsonResponse("the tenant, its current term and period"),
    ...operatorErrorResponses("invalid_body", "invalid_term", "unknown_tenant", "term_conflict"),
  },
});

export const billingTermRoutes = routesApp<AppEnv>().openapi(termRoute, async (c) => {
  const change = await changeTerm(c.env.DB, c.req.valid("param").tenant, c.req.valid("json"), Date.now());
  return c.json(
    {
      tenant: { ...change.tenant, created_at: new Date(change.tenant.created_at).toISOString() },
      current_term: { start: change.currentTerm.start, end: change.currentTerm.end },
      current_period: change.currentPeriod,
    },
    200,
  );
});
