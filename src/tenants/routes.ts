import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../http/context";
import { validJson } from "../http/validation";
import { DAY_MS } from "../lib/time";
import {
  createTenant,
  issueToken,
  listTenants,
  REVOCATION_BOUND_SECONDS,
  requireTenantByRef,
  revokeTokenByRef,
  setDisabled,
  type TenantListing,
} from "./admin";
import type { TenantRow, TokenRow } from "./store";

/**
 * The operator API for tenants and tokens (`ADMIN_TOKEN`, required for all of `/v1/admin` in app.ts), under `/v1/admin`. `npm run tenant`
 * is a thin client of these endpoints. Times are ISO 8601; a token is returned once, when
 * issued, and never again.
 */

// Names and plans are checked by createTenant, for every caller.
// Terms too: a term_start that is not a calendar day answers 400 invalid_term, not invalid_body.
const createSchema = z.object({
  name: z.string(),
  plan: z.string().optional(),
  term_start: z.string().max(32).optional(),
  term_months: z.number().optional(),
});
const tokenSchema = z.object({
  expires_in_days: z.number().int().min(1).max(3650).optional(),
});
const revokeSchema = z.object({ token: z.string().min(1).max(128) });

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
const tenantJson = (t: TenantRow) => ({ ...t, created_at: iso(t.created_at) });
const tokenJson = (t: TokenRow) => ({
  ...t,
  created_at: iso(t.created_at),
  expires_at: iso(t.expires_at),
  revoked_at: iso(t.revoked_at),
});
const listingJson = (t: TenantListing) => ({
  ...tenantJson(t),
  tokens: t.tokens.map((token) => ({ ...tokenJson(token), state: token.state })),
});

export const tenantAdminRoutes = new Hono<AppEnv>()
  .get("/tenants", async (c) => c.json({ tenants: (await listTenants(c.env.DB, Date.now())).map(listingJson) }))
  .post("/tenants", validJson(createSchema), async (c) => {
    const { name, plan, term_start, term_months } = c.req.valid("json");
    const tenant = await createTenant(c.env.DB, {
      name,
      plan,
      termStart: term_start,
      termMonths: term_months,
      now: Date.now(),
    });
    return c.json({ tenant: tenantJson(tenant) }, 201);
  })
  .get("/tenants/:tenant", async (c) => {
    const tenant = await requireTenantByRef(c.env.DB, c.req.param("tenant"));
    const listing = (await listTenants(c.env.DB, Date.now())).find((t) => t.id === tenant.id);
    return c.json({ tenant: listingJson(listing ?? { ...tenant, tokens: [] }) });
  })
  .post("/tenants/:tenant/disable", async (c) => {
    const tenant = await setDisabled(c.env.DB, c.req.param("tenant"), true);
    return c.json({ tenant: tenantJson(tenant), takes_effect_within_seconds: REVOCATION_BOUND_SECONDS });
  })
  .post("/tenants/:tenant/enable", async (c) => {
    const tenant = await setDisabled(c.env.DB, c.req.param("tenant"), false);
    return c.json({ tenant: tenantJson(tenant), takes_effect_within_seconds: REVOCATION_BOUND_SECONDS });
  })
  .post("/tenants/:tenant/tokens", validJson(tokenSchema), async (c) => {
    const tenant = await requireTenantByRef(c.env.DB, c.req.param("tenant"));
    const now = Date.now();
    const days = c.req.valid("json").expires_in_days;
    const issued = await issueToken(c.env.DB, tenant.id, {
      now,
      expiresAt: days === undefined ? null : now + days * DAY_MS,
    });
    return c.json(
      {
        tenant: tenantJson(tenant),
        token: issued.token,
        id: issued.id,
        prefix: issued.prefix,
        created_at: iso(now),
        expires_at: iso(issued.expiresAt),
      },
      201,
    );
  })
  .post("/tokens/revoke", validJson(revokeSchema), async (c) => {
    const { token, alreadyRevoked } = await revokeTokenByRef(c.env.DB, c.req.valid("json").token, Date.now());
    return c.json({
      token: tokenJson(token),
      already_revoked: alreadyRevoked,
      takes_effect_within_seconds: REVOCATION_BOUND_SECONDS,
    });
  });
