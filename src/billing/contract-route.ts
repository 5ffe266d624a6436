import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../http/context";
import { ApiError } from "../http/errors";
import { validJson } from "../http/validation";
import { requireTenantByRef } from "../tenants/admin";
import { contractJson, readContract, setContract, setTenantWebhookUrl } from "./contracts";
import { tenantSecret, tenantWebhookUrl, webhookConfigOf } from "./webhooks/config";

/**
 * The operator's contract endpoints, under /v1/admin beside the tenant endpoints:
 *
 * - `PUT /tenants/{id or name}/contract` `{ plan, reporting_required, mau?, tpr?, mwi? }`
 *   replaces the contract (contracts.ts); `GET` reads it;
 * - `PUT /tenants/{id or name}/webhook` `{ url }` gives the tenant its own webhook endpoint and
 *   answers the secret its receiver verifies signatures with (derived, never stored: the same
 *   answer every time, until BILLING_WEBHOOK_SECRET is rotated); `DELETE` removes it.
 */

const webhookSchema = z.strictObject({ url: z.string().max(2048) });

const tenantJson = (tenant: { id: string; name: string; plan: string }) => ({
  id: tenant.id,
  name: tenant.name,
  plan: tenant.plan,
});

export const contractRoutes = new Hono<AppEnv>()
  .put("/tenants/:tenant/contract", async (c) => {
    const body = await c.req.json().catch(() => {
      throw new ApiError(400, "invalid_json", "the body must be a JSON contract");
    });
    const { tenant, contract } = await setContract(c.env.DB, c.req.param("tenant"), body, Date.now());
    return c.json({ tenant: tenantJson(tenant), contract: contractJson(contract) });
  })
  .get("/tenants/:tenant/contract", async (c) => {
    const tenant = await requireTenantByRef(c.env.DB, c.req.param("tenant"));
    const contract = await readContract(c.env.DB, tenant.id);
    if (!contract) throw new ApiError(404, "unknown_tenant", `no tenant has the id or name "${c.req.param("tenant")}"`);
    return c.json({ tenant: tenantJson(tenant), contract: contractJson(contract) });
  })
  .put("/tenants/:tenant/webhook", validJson(webhookSchema), async (c) => {
    const tenant = await requireTenantByRef(c.env.DB, c.req.param("tenant"));
    const url = tenantWebhookUrl(c.req.valid("json").url);
    if (url === null) {
      throw new ApiError(400, "invalid_webhook_url", "a webhook URL must use https (http only to a loopback address)");
    }
    const { secret } = webhookConfigOf(c.env);
    if (secret === null) {
      throw new ApiError(
        409,
        "webhook_secret_unset",
        "webhooks are signed with BILLING_WEBHOOK_SECRET, which is not set: npx wrangler secret put BILLING_WEBHOOK_SECRET",
      );
    }
    await setTenantWebhookUrl(c.env.DB, tenant.id, url, Date.now());
    return c.json({ tenant: tenantJson(tenant), url, secret: await tenantSecret(secret, tenant.id) });
  })
  .delete("/tenants/:tenant/webhook", async (c) => {
    const tenant = await requireTenantByRef(c.env.DB, c.req.param("tenant"));
    await setTenantWebhookUrl(c.env.DB, tenant.id, null, Date.now());
    return c.json({ tenant: tenantJson(tenant), url: null });
  });
