/**
 * Tenants and their tokens in D1: every query of the feature, typed. Times are ms since the
 * epoch; only a token's SHA-256 and its display prefix are ever stored.
 */

export interface TenantRow {
  id: string;
  name: string;
  plan: string;
  disabled: boolean;
  created_at: number;
  /** First day of the subscription term, `YYYY-MM-DD`: billing periods start on its day of the month. */
  term_start: string;
  /** Length of a term in months; terms renew. */
  term_months: number;
}

export interface TokenRow {
  id: string;
  prefix: string;
  tenant_id: string;
  created_at: number;
  expires_at: number | null;
  revoked_at: number | null;
}

/** A stored token joined with its tenant: everything verification needs, in one query. */
export interface TokenRecord {
  token_id: string;
  token_hash: string;
  expires_at: number | null;
  revoked_at: number | null;
  tenant: TenantRow;
}

type Flagged<T> = Omit<T, "disabled"> & { disabled: number };
const toTenant = (row: Flagged<TenantRow>): TenantRow => ({ ...row, disabled: row.disabled !== 0 });
const TENANT_COLUMNS = "id, name, plan, disabled, created_at, term_start, term_months";
const TOKEN_COLUMNS = "id, prefix, tenant_id, created_at, expires_at, revoked_at";

export async function findTokenByHash(db: D1Database, tokenHash: string): Promise<TokenRecord | null> {
  const row = await db
    .prepare(
      `SELECT k.id AS token_id, k.token_hash, k.expires_at, k.revoked_at,
              t.id, t.name, t.plan, t.disabled, t.created_at, t.term_start, t.term_months
       FROM tenant_tokens AS k JOIN tenants AS t ON t.id = k.tenant_id
       WHERE k.token_hash = ?1`,
    )
    .bind(tokenHash)
    .first<Flagged<TenantRow> & Omit<TokenRecord, "tenant">>();
  if (!row) return null;
  const { token_id, token_hash, expires_at, revoked_at, ...tenant } = row;
  return { token_id, token_hash, expires_at, revoked_at, tenant: toTenant(tenant) };
}

/** A tenant by id (`tn_…`) or by name. */
export async function findTenant(db: D1Database, idOrName: string): Promise<TenantRow | null> {
  const row = await db
    .prepare(`SELECT ${TENANT_COLUMNS} FROM tenants WHERE id = ?1 OR name = ?1`)
    .bind(idOrName)
    .first<Flagged<TenantRow>>();
  return row ? toTenant(row) : null;
}

/** Every tenant (by name) and every token (by tenant, then age), in one round trip. */
export async function listTenantsAndTokens(db: D1Database): Promise<{ tenants: TenantRow[]; tokens: TokenRow[] }> {
  const [tenants, tokens] = await db.batch([
    db.prepare(`SELECT ${TENANT_COLUMNS} FROM tenants ORDER BY name`),
    db.prepare(`SELECT ${TOKEN_COLUMNS} FROM tenant_tokens ORDER BY tenant_id, created_at`),
  ]);
  return {
    tenants: ((tenants?.results ?? []) as Flagged<TenantRow>[]).map(toTenant),
    tokens: (tokens?.results ?? []) as TokenRow[],
  };
}

/** Inserts a tenant unless its name is taken; true if it was inserted. */
export async function insertTenant(db: D1Database, tenant: TenantRow): Promise<boolean> {
  const result = await db
    .prepare(`INSERT OR IGNORE INTO tenants (${TENANT_COLUMNS}) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)`)
    .bind(
      tenant.id,
      tenant.name,
      tenant.plan,
      tenant.disabled ? 1 : 0,
      tenant.created_at,
      tenant.term_start,
      tenant.term_months,
    )
    .run();
  return result.meta.changes > 0;
}

export async function setTenantDisabled(db: D1Database, tenantId: string, disabled: boolean): Promise<void> {
  await db
    .prepare("UPDATE tenants SET disabled = ?2 WHERE id = ?1")
    .bind(tenantId, disabled ? 1 : 0)
    .run();
}

export async function setTenantTerm(
  db: D1Database,
  tenantId: string,
  term: Pick<TenantRow, "term_start" | "term_months">,
): Promise<void> {
  await db
    .prepare("UPDATE tenants SET term_start = ?2, term_months = ?3 WHERE id = ?1")
    .bind(tenantId, term.term_start, term.term_months)
    .run();
}

export async function insertToken(
  db: D1Database,
  token: Omit<TokenRow, "revoked_at"> & { token_hash: string },
): Promise<void> {
  await db
    .prepare(
      `INSERT INTO tenant_tokens (id, token_hash, prefix, tenant_id, created_at, expires_at, revoked_at)
       VALUES (?1, ?2, ?3, ?4, ?5, ?6, NULL)`,
    )
    .bind(token.id, token.token_hash, token.prefix, token.tenant_id, token.created_at, token.expires_at)
    .run();
}

/** The tokens whose id, display prefix or hash is `value` (a prefix may match several). */
export async function findTokens(
  db: D1Database,
  by: "id" | "prefix" | "token_hash",
  value: string,
): Promise<TokenRow[]> {
  const { results } = await db
    .prepare(`SELECT ${TOKEN_COLUMNS} FROM tenant_tokens WHERE ${by} = ?1 ORDER BY created_at`)
    .bind(value)
    .all<TokenRow>();
  return results;
}

/** Revokes a token by id; true if a live token was revoked. */
export async function revokeToken(db: D1Database, tokenId: string, now: number): Promise<boolean> {
  const result = await db
    .prepare("UPDATE tenant_tokens SET revoked_at = ?2 WHERE id = ?1 AND revoked_at IS NULL")
    .bind(tokenId, now)
    .run();
  return result.meta.changes > 0;
}
