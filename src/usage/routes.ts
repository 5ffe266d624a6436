import { z } from "zod";
import { billingGraceDaysOf } from "../billing/report-bounds";
import { errorResponses, jsonResponse, READ_BY_HAND, reportRejectionSchema, routesApp } from "../http/openapi";
import { bodyLimitsOf, readJsonBody } from "../http/read-body";
import { limitRequests } from "../ratelimit/middleware";
import { requireTenant, type TenantEnv } from "../tenants/auth";
import { usageBodySchema } from "./schema";
import { submitReports } from "./submit";

/**
 * `POST /v1/usage`: billing reports from a tenant's clusters (Bearer tenant token), charged to
 * the client by the limiter. Each report is judged on its own; the answer is 202 once the
 * accepted ones are committed to D1, 400 if every report was rejected.
 */

/** The answer: what was accepted, and each report refused with why. */
export const usageResultSchema = z
  .object({
    accepted: z.number().int(),
    duplicates: z.number().int().describe("reports repeated within the request or already stored (a retry)"),
    rejected: z.array(reportRejectionSchema),
  })
  .meta({ id: "UsageResult" });

/** The errors of a request of usage reports refused whole. */
export const USAGE_ERRORS = [
  "invalid_body",
  "invalid_json",
  "invalid_encoding",
  "empty_body",
  "unauthorized",
  "tenant_disabled",
  "payload_too_large",
  "too_many_reports",
  "unsupported_media_type",
  "unsupported_encoding",
  "rate_limited",
  "storage_unavailable",
] as const;

export const usageRoutes = routesApp<TenantEnv>();

usageRoutes.use(limitRequests).post("/", requireTenant, async (c) => {
  const receivedAt = Date.now();
  const body = await readJsonBody(c.req.raw, bodyLimitsOf(c.env), c.var.limiter.chargeBody);
  const { allRejected, ...result } = await submitReports(c.env.DB, c.var.limiter, c.var.tenant, body, {
    receivedAt,
    graceDays: billingGraceDaysOf(c.env),
  });
  return c.json(result, allRejected ? 400 : 202);
});

usageRoutes.openAPIRegistry.registerPath({
  method: "post",
  path: "/",
  tags: ["usage"],
  summary: "Send usage reports for billing (tenant token)",
  description: READ_BY_HAND,
  security: [{ tenantToken: [] }],
  request: { body: { required: true, content: { "application/json": { schema: usageBodySchema } } } },
  responses: {
    202: jsonResponse("some reports were accepted: they are committed to D1", usageResultSchema),
    ...errorResponses(...USAGE_ERRORS),
    400: jsonResponse(
      "every report was rejected (each rejection says why), or the request was refused whole",
      usageResultSchema,
    ),
  },
});
