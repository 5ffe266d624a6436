import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { OPERATOR_SECURITY, operatorErrorResponses } from "../admin/operator";
import type { AppEnv } from "../http/context";
import { jsonResponse, routesApp } from "../http/openapi";
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
  termRequestFields,
} from "./admin";
import type { TenantRow, TokenRow } from "./store";

/**
 * The operator API for tenants and tokens, mounted into the operator group under `/v1/admin`.
 * `npm run tenant` is a thin client of these endpoints. Times are ISO 8601; a token is
 * returned once, when issued, and never again.
 */

// Names and plans are checked by createTenant, for every caller; terms by checkTerm.
const createSchema = z.object({ name: z.string(), plan: z.string().optional(), ...termRequestFields });
const tokenSchema = z.object({ expires_in_days: z.number().int().min(1).max(3650).optional() });
const revokeSchema = z.object({ token: z.string().min(1).max(128).describe("a token id, prefix, or the token") });
const tenantParam = z.object({ tenant: z.string().describe("the tenant's id or name") });

const json = <T extends z.ZodType>(schema: T, required = true) => ({
  required,
  content: { "application/json": { schema } },
});

const common = { tags: ["tenants"], security: OPERATOR_SECURITY };

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

export const tenantAdminRoutes = routesApp<AppEnv>()
  .openapi(
    createRoute({
      ...common,
      method: "get",
      path: "/tenants",
      summary: "Every tenant with its tokens",
      request: {},
      responses: { 200: jsonResponse("Every tenant with its tokens"), ...operatorErrorResponses() },
    }),
    async (c) => c.json({ tenants: (await listTenants(c.env.DB, Date.now())).map(listingJson) }, 200),
  )
  .openapi(
    createRoute({
      ...common,
      method: "post",
      path: "/tenants",
      summary: "Create a tenant",
      request: { body: json(createSchema) },
      responses: {
        201: jsonResponse("the tenant created"),
        ...operatorErrorResponses(
          "invalid_body",
          "invalid_tenant_name",
          "invalid_plan",
          "invalid_term",
          "tenant_exists",
        ),
      },
    }),
    async (c) => {
      const { name, plan, term_start, term_months } = c.req.valid("json");
      const tenant = await createTenant(c.env.DB, {
        name,
        plan,
        termStart: term_start,
        termMonths: term_months,
        now: Date.now(),
      });
      return c.json({ tenant: tenantJson(tenant) }, 201);
    },
  )
  .openapi(
    createRoute({
      ...common,
      method: "get",
      path: "/tenants/{tenant}",
      summary: "One tenant with its tokens",
      request: { params: tenantParam },
      responses: { 200: jsonResponse("One tenant with its tokens"), ...operatorErrorResponses("unknown_tenant") },
    }),
    async (c) => {
      const tenant = await requireTenantByRef(c.env.DB, c.req.valid("param").tenant);
      const listing = (await listTenants(c.env.DB, Date.now())).find((t) => t.id === tenant.id);
      return c.json({ tenant: listingJson(listing ?? { ...tenant, tokens: [] }) }, 200);
    },
  )
  .openapi(
    createRoute({
      ...common,
      method: "post",
      path: "/tenants/{tenant}/disable",
      summary: "Disable a tenant",
      request: { params: tenantParam },
      responses: { 200: jsonResponse("Disable a tenant"), ...operatorErrorResponses("unknown_tenant") },
    }),
    async (c) => {
      const tenant = await setDisabled(c.env.DB, c.req.valid("param").tenant, true);
      return c.json({ tenant: tenantJson(tenant), takes_effect_within_seconds: REVOCATION_BOUND_SECONDS }, 200);
    },
  )
  .openapi(
    createRoute({
      ...common,
      method: "post",
      path: "/tenants/{tenant}/enable",
      summary: "Enable a tenant",
      request: { params: tenantParam },
      responses: { 200: jsonResponse("Enable a tenant"), ...operatorErrorResponses("unknown_tenant") },
    }),
    async (c) => {
      const tenant = await setDisabled(c.env.DB, c.req.valid("param").tenant, false);
      return c.json({ tenant: tenantJson(tenant), takes_effect_within_seconds: REVOCATION_BOUND_SECONDS }, 200);
    },
  )
  .openapi(
    createRoute({
      ...common,
      method: "post",
      path: "/tenants/{tenant}/tokens",
      summary: "Issue a tenant token (returned once)",
      request: { params: tenantParam, body: json(tokenSchema, false) },
      responses: {
        201: jsonResponse("Issue a tenant token (returned once)"),
        ...operatorErrorResponses("invalid_body", "unknown_tenant"),
      },
    }),
    async (c) => {
      const tenant = await requireTenantByRef(c.env.DB, c.req.valid("param").tenant);
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
    },
  )
  .openapi(
    createRoute({
      ...common,
      method: "post",
      path: "/tokens/revoke",
      summary: "Revoke a token",
      request: { body: json(revokeSchema) },
      responses: {
        200: jsonResponse("Revoke a token"),
        ...operatorErrorResponses("invalid_body", "invalid_token_ref", "unknown_token", "ambiguous_token_ref"),
      },
    }),
    async (c) => {
      const ref = c.req.valid("json").token;
      const { token, alreadyRevoked } = await revokeTokenByRef(c.env.DB, ref, Date.now());
      return c.json(
        {
          token: tokenJson(token),
          already_revoked: alreadyRevoked,
          takes_effect_within_seconds: REVOCATION_BOUND_SECONDS,
        },
        200,
      );
    },
  );
