import type { Context } from "hono";
import type { TenantRow } from "../db/tenants";
import type { AppEnv } from "../env";

/**
 * Hook points for rate limiting around tenant authentication. They do nothing yet; the
 * Durable Object rate limiter plugs in here, so the auth code does not change when it lands.
 * Either may throw an ApiError (429 + Retry-After) to stop the request.
 */

/** Called before a presented token is verified: refuse clients with too many failed attempts. */
export async function beforeTokenVerification<E extends AppEnv>(_c: Context<E>): Promise<void> {}

/** Called after a presented token was refused (malformed, unknown, revoked or expired). */
export async function afterTokenRefused<E extends AppEnv>(_c: Context<E>): Promise<void> {}

/** Called once the tenant is known and enabled: the per-tenant request limit. */
export async function beforeTenantRequest<E extends AppEnv>(_c: Context<E>, _tenant: TenantRow): Promise<void> {}
