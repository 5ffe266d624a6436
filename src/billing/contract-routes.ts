import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { OPERATOR_SECURITY, operatorErrorResponses } from "../admin/operator";
import type { AppEnv } from "../http/context";
import { ApiError } from "../http/errors";
import { jsonResponse, routesApp } from "../http/openapi";
import { validationHook } from "../http/validation";
import { requireTenantByRef } from "../tenants/admin";
import type { TenantRow } from "../tenants/store";
import {
  contractJson,
  contractSchema,
  invalidContract,
  readContract,
  setContract,
  setTenantWebhookUrl,
} from "./contracts";
import { tenantSecret, tenantWebhookUrl, webhookConfigOf } from "./webhooks/config";

/**
 * The operator's contract endpoints, mounted into the operator group under /v1/admin beside the
 * tenant endpoints:
 *
 * - `PUT /tenants/{id or name}/contract` `{ plan, reporting_required, mau?, tpr?, mwi? }`
 *   replaces the contract (contracts.ts); `GET` reads it;
 * - `PUT /tenants/{id or name}/webhook` `{ url }` gives the tenant its own webhook endpoint and
 *   answers the secret its receiver verifies signatures with (derived, never stored: the same
 *   answer every time, until BILLING_WEBHOOK_SECRET is rotated); `DELETE` removes it.
 */

const tenantParam = z.object({ tenant: z.string().describe("the tenant's id or name") });
const tenantSchema = z.object({ id: z.string(), name: z.string(), plan: z.string() });
const tenantJson = (tenant: Pick<TenantRow, "id" | "name" | "plan">) => ({
  id: tenant.id,
  name: tenant.name,
  plan: tenant.plan,
});

const when = z.string().nullable();
const contractAnswer = z
  .object({
    tenant: tenantSchema,
    contract: z.object({
      plan: z.string(),
      reporting_required: z.boolean(),
      reporting_required_since: when.describe("since when reporting is required, ISO 8601 (null: it is not)"),
      mau: z.number().nullable().describe("the quantity bought (null: not contracted)"),
      tpr: z.number().nullable(),
      mwi: z.number().nullable(),
      webhook_url: z.string().nullable().describe("the tenant's own webhook endpoint, or null"),
      changed_at: when.describe("when the contract last changed, ISO 8601"),
    }),
  })
  .meta({ id: "Contract" });

const common = { tags: ["billing"], security: OPERATOR_SECURITY };

const putContract = createRoute({
  ...common,
  method: "put",
  path: "/tenants/{tenant}/contract",
  summary: "Replace a tenant's contract: its plan, whether it must report, the quantities it bought",
  request: {
    params: tenantParam,
    body: { required: true, content: { "application/json": { schema: contractSchema } } },
  },
  responses: {
    200: jsonResponse("the tenant and its contract as stored", contractAnswer),
    ...operatorErrorResponses("invalid_contract", "invalid_plan", "unknown_tenant"),
  },
});

const getContract = createRoute({
  ...common,
  method: "get",
  path: "/tenants/{tenant}/contract",
  summary: "A tenant's contract",
  request: { params: tenantParam },
  responses: {
    200: jsonResponse("the tenant and its contract", contractAnswer),
    ...operatorErrorResponses("unknown_tenant"),
  },
});

const putWebhook = createRoute({
  ...common,
  method: "put",
  path: "/tenants/{tenant}/webhook",
  summary: "Give a tenant its own webhook endpoint; answers the secret its receiver verifies with",
  request: {
    params: tenantParam,
    body: {
      required: true,
      content: {
        "application/json": {
          schema: z.strictObject({
            url: z.string().max(2048).describe("https, or http to a loopback address"),
          }),
        },
      },
    },
  },
  responses: {
    200: jsonResponse(
      "the endpoint, and its Standard Webhooks secret (derived from BILLING_WEBHOOK_SECRET and the tenant)",
      z.object({ tenant: tenantSchema, url: z.string(), secret: z.string().describe("whsec_…") }),
    ),
    ...operatorErrorResponses("invalid_body", "invalid_webhook_url", "unknown_tenant", "webhook_secret_unset"),
  },
});

const deleteWebhook = createRoute({
  ...common,
  method: "delete",
  path: "/tenants/{tenant}/webhook",
  summary: "Remove a tenant's own webhook endpoint",
  request: { params: tenantParam },
  responses: {
    200: jsonResponse("the tenant, without its endpoint", z.object({ tenant: tenantSchema, url: z.null() })),
    ...operatorErrorResponses("unknown_tenant"),
  },
});

/** A body that is no contract is `invalid_contract`, as checkContract answers every other caller. */
const contractHook: typeof validationHook = (result) => {
  if (!result.success && result.target === "json") throw invalidContract(result.error.issues[0]);
  return validationHook(result);
};

export const contractRoutes = routesApp<AppEnv>()
  .openapi(
    putContract,
    async (c) => {
      const { tenant, contract } = await setContract(
        c.env.DB,
        c.req.valid("param").tenant,
        c.req.valid("json"),
        Date.now(),
      );
      return c.json({ tenant: tenantJson(tenant), contract: contractJson(contract) }, 200);
    },
    contractHook,
  )
  .openapi(getContract, async (c) => {
    const ref = c.req.valid("param").tenant;
    const tenant = await requireTenantByRef(c.env.DB, ref);
    const contract = await readContract(c.env.DB, tenant.id);
    if (!contract) throw new ApiError("unknown_tenant", `no tenant has the id or name "${ref}"`);
    return c.json({ tenant: tenantJson(tenant), contract: contractJson(contract) }, 200);
  })
  .openapi(putWebhook, async (c) => {
    const tenant = await requireTenantByRef(c.env.DB, c.req.valid("param").tenant);
    const url = tenantWebhookUrl(c.req.valid("json").url);
    if (url === null) {
      throw new ApiError("invalid_webhook_url", "a webhook URL must use https (http only to a loopback address)");
    }
    const { secret } = webhookConfigOf(c.env);
    if (secret === null) {
      throw new ApiError(
        "webhook_secret_unset",
        "webhooks are signed with BILLING_WEBHOOK_SECRET, which is not set: npx wrangler secret put BILLING_WEBHOOK_SECRET",
      );
    }
    await setTenantWebhookUrl(c.env.DB, tenant.id, url, Date.now());
    return c.json({ tenant: tenantJson(tenant), url, secret: await tenantSecret(secret, tenant.id) }, 200);
  })
  .openapi(deleteWebhook, async (c) => {
    const tenant = await requireTenantByRef(c.env.DB, c.req.valid("param").tenant);
    await setTenantWebhookUrl(c.env.DB, tenant.id, null, Date.now());
    return c.json({ tenant: tenantJson(tenant), url: null }, 200);
  });
