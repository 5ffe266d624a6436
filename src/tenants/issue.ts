import { insertTenant, insertToken, type TenantRow } from "../db/tenants";
import { hashToken } from "./hash";
import { displayPrefix, generateToken, randomId } from "./token-format";

/** Tenant names are operator handles: they appear in URLs, CSV files and SQL typed by hand. */
export const TENANT_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
export const PLAN_PATTERN = /^[a-z0-9][a-z0-9_-]{0,31}$/;
export const DEFAULT_PLAN = "standard";

export async function createTenant(
  db: D1Database,
  input: { name: string; plan?: string; now: number },
): Promise<TenantRow> {
  if (!TENANT_NAME_PATTERN.test(input.name)) throw new Error(`invalid tenant name "${input.name}"`);
  const plan = input.plan ?? DEFAULT_PLAN;
  if (!PLAN_PATTERN.test(plan)) throw new Error(`invalid plan "${plan}"`);
  const tenant: TenantRow = { id: randomId("tn_", 10), name: input.name, plan, disabled: false, created_at: input.now };
  await insertTenant(db, tenant);
  return tenant;
}

export interface IssuedToken {
  /** The token itself: shown once, never stored. */
  token: string;
  id: string;
  prefix: string;
  expiresAt: number | null;
}

/** Issues a new token for a tenant. Earlier tokens stay valid: that is how rotation works. */
export async function issueToken(
  db: D1Database,
  tenantId: string,
  options: { now: number; expiresAt?: number | null },
): Promise<IssuedToken> {
  const token = generateToken();
  const issued: IssuedToken = {
    token,
    id: randomId("tok_", 8),
    prefix: displayPrefix(token),
    expiresAt: options.expiresAt ?? null,
  };
  await insertToken(db, {
    id: issued.id,
    token_hash: await hashToken(token),
    prefix: issued.prefix,
    tenant_id: tenantId,
    created_at: options.now,
    expires_at: issued.expiresAt,
  });
  return issued;
}
