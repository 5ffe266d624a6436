/** Typed D1 queries for tenants and their tokens. Times are ms since the epoch. */

export interface TenantRow {
  id: string;
  name: string;
  plan: string;
  disabled: boolean;
  created_at: number;
}

/** A stored token joined with its tenant: everything verification needs, in one query. */
export interface TokenRecord {
  token_id: string;
  token_hash: string;
  expires_at: number | null;
  revoked_at: number | null;
  tenant: TenantRow;
}

interface TokenJoinRow {
  token_id: string;
  token_hash: string;
  expires_at: number | null;
  revoked_at: number | null;
  tenant_id: string;
  name: string;
  plan: string;
  disabled: number;
  created_at: number;
}

export async function findTokenByHash(db: D1Database, tokenHash: string): Promise<TokenRecord | null> {
  const row = await db
    .prepare(
      `SELECT k.id AS token_id, k.token_hash, k.expires_at, k.revoked_at,
              t.id AS tenant_id, t.name, t.plan, t.disabled, t.created_at
       FROM tenant_tokens AS k JOIN tenants AS t ON t.id = k.tenant_id
       WHERE k.token_hash = ?1`,
    )
    .bind(tokenHash)
    .first<TokenJoinRow>();
  if (!row) return null;
  return {
    token_id: row.token_id,
    token_hash: row.token_hash,
    expires_at: row.expires_at,
    revoked_at: row.revoked_at,
    tenant: {
      id: row.tenant_id,
      name: row.name,
      plan: row.plan,
      disabled: row.disabled !== 0,
      created_at: row.created_at,
    },
  };
}

interface TenantDbRow {
  id: string;
  name: string;
  plan: string;
  disabled: number;
  created_at: number;
}

const toTenant = (row: TenantDbRow): TenantRow => ({ ...row, disabled: row.disabled !== 0 });

/** A tenant by id (`tn_…`) or by name. */
export async function findTenant(db: D1Database, idOrName: string): Promise<TenantRow | null> {
  const row = await db
    .prepare("SELECT id, name, plan, disabled, created_at FROM tenants WHERE id = ?1 OR name = ?1")
    .bind(idOrName)
    .first<TenantDbRow>();
  return row ? toTenant(row) : null;
}

export async function listTenants(db: D1Database): Promise<TenantRow[]> {
  const { results } = await db
    .prepare("SELECT id, name, plan, disabled, created_at FROM tenants ORDER BY name")
    .all<TenantDbRow>();
  return results.map(toTenant);
}

export async function insertTenant(db: D1Database, tenant: TenantRow): Promise<void> {
  await db
    .prepare("INSERT INTO tenants (id, name, plan, disabled, created_at) VALUES (?1, ?2, ?3, ?4, ?5)")
    .bind(tenant.id, tenant.name, tenant.plan, tenant.disabled ? 1 : 0, tenant.created_at)
    .run();
}

export async function setTenantDisabled(db: D1Database, tenantId: string, disabled: boolean): Promise<void> {
  await db
    .prepare("UPDATE tenants SET disabled = ?2 WHERE id = ?1")
    .bind(tenantId, disabled ? 1 : 0)
    .run();
}

export interface NewTokenRow {
  id: string;
  token_hash: string;
  prefix: string;
  tenant_id: string;
  created_at: number;
  expires_at: number | null;
}

export async function insertToken(db: D1Database, token: NewTokenRow): Promise<void> {
  await db
    .prepare(
      `INSERT INTO tenant_tokens (id, token_hash, prefix, tenant_id, created_at, expires_at, revoked_at)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULL)`,
    )
    .bind(token.id, token.token_hash, token.prefix, token.tenant_id, token.created_at, token.expires_at)
    .run();
}

/** Revokes a token by id; true if a live token was revoked. */
export async function revokeToken(db: D1Database, tokenId: string, now: number): Promise<boolean> {
  const result = await db
    .prepare("UPDATE tenant_tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL")
    .bind(tokenId, now)
    .run();
  return result.meta.changes > 0;
}
