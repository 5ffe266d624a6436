import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { bearerToken } from "../http/bearer";
import { ApiError } from "../http/errors";
import type { LimiterEnv } from "../ratelimit/middleware";
import type { TenantRow } from "./store";
import { type TokenRefusal, verifyTenantToken } from "./verify";

/**
 * Tenant authentication: `Authorization: Bearer ehk_…`. Failed attempts are charged to the
 * client through the request's limiter (`c.var.limiter`), so guessing tokens is throttled.
 */

/** Hono environment of routes behind `requireTenant`: `c.var.tenant` is the caller. */
export interface TenantEnv extends LimiterEnv {
  Variables: LimiterEnv["Variables"] & { tenant: TenantRow };
}

const WWW_AUTHENTICATE = { "WWW-Authenticate": 'Bearer realm="edgehog", error="invalid_token"' };

const refusalMessages: Record<TokenRefusal | "missing", string> = {
  missing: "a tenant token is required: Authorization: Bearer ehk_…",
  malformed: "the tenant token is not valid",
  unknown: "the tenant token is not valid",
  revoked: "the tenant token has been revoked",
  expired: "the tenant token has expired",
};

function unauthorized(reason: TokenRefusal | "missing"): ApiError {
  return new ApiError("unauthorized", refusalMessages[reason], WWW_AUTHENTICATE);
}

/**
 * Resolves the tenant of a request that carries `Authorization: Bearer <token>`, or null if
 * it carries no Authorization header. A header that is present must hold a valid token (401
 * otherwise) of an enabled tenant (403 otherwise): a client that meant to authenticate is
 * never silently treated as anonymous.
 */
export async function optionalTenant<E extends LimiterEnv>(c: Context<E>): Promise<TenantRow | null> {
  const header = c.req.header("authorization");
  if (header === undefined) return null;
  const token = bearerToken(header);
  if (!token) throw unauthorized("malformed");

  // The lookup comes first: a valid token is accepted whatever others behind the same address
  // did. Each attempt was charged as a request (limitRequests), and failures are counted below.
  // A D1 outage is not the client's fault: it is a 503 (http/errors.ts), never a 401 that would
  // make the client drop its data for good.
  const verdict = await verifyTenantToken(c.env.DB, token, Date.now());
  if (!verdict.ok) {
    await c.var.limiter.recordAuthFailure();
    throw unauthorized(verdict.reason);
  }
  if (verdict.tenant.disabled) {
    throw new ApiError("tenant_disabled", `tenant "${verdict.tenant.name}" is disabled`);
  }
  return verdict.tenant;
}

/** The tenant of a request that must carry a tenant token (401 without one). */
export async function requiredTenant<E extends LimiterEnv>(c: Context<E>): Promise<TenantRow> {
  const tenant = await optionalTenant(c);
  if (!tenant) throw unauthorized("missing");
  return tenant;
}

/** Requires a tenant token; sets `c.var.tenant`. */
export const requireTenant = createMiddleware<TenantEnv>(async (c, next) => {
  c.set("tenant", await requiredTenant(c));
  await next();
});
