import { z } from "zod";
import { ApiError } from "../http/errors";
import { utcDaySchema } from "../http/schemas";
import { describeIssue } from "../http/validation";
import { utcDay } from "../lib/time";
import {
  findTenant,
  findTokens,
  insertTenant,
  insertToken,
  listTenantsAndTokens,
  revokeToken as markRevoked,
  setTenantDisabled,
  type TenantRow,
  type TokenRow,
} from "./store";
import {
  DISPLAY_PREFIX_PATTERN,
  displayPrefix,
  generateToken,
  hashToken,
  isWellFormedToken,
  randomId,
  TOKEN_ID_PATTERN,
} from "./tokens";
import { VERIFIED_TOKEN_TTL_MS } from "./verify";

/**
 * Tenant administration, implemented once: the operator API (tenants/routes.ts) calls
 * these, `npm run tenant` calls that API, and tests call either. Refusals are ApiErrors, so
 * every caller gets the same codes and messages.
 */

/** Tenant names are operator handles: they appear in URLs, CSV files and the operator's shell. */
export const TENANT_NAME_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;
export const PLAN_PATTERN = /^[a-z0-9][a-z0-9_-]{0,31}$/;
export const DEFAULT_PLAN = "standard";
/** How long running isolates may still serve a revoked token or a disabled tenant. */
export const REVOCATION_BOUND_SECONDS = VERIFIED_TOKEN_TTL_MS / 1000;

/** The longest term a tenant may have, in months. */
export const MAX_TERM_MONTHS = 120;
export const DEFAULT_TERM_MONTHS = 12;

export interface TermInput {
  /** First day of the term, `YYYY-MM-DD`. */
  term_start: string;
  /** Months per term, 1 to MAX_TERM_MONTHS. */
  term_months: number;
}

/** The default term of a tenant created at `now`: from the 1st of that month, 12 months. */
export function defaultTerm(now: number): TermInput {
  return { term_start: `${utcDay(now).slice(0, 7)}-01`, term_months: DEFAULT_TERM_MONTHS };
}

const termSchema = z.object({
  term_start: utcDaySchema.refine((day) => day >= "1970-01-01", "must be 1970-01-01 or later"),
  term_months: z.number().int().min(1).max(MAX_TERM_MONTHS),
});

/**
 * A term as a request gives it (creating a tenant, changing its term): both parts optional,
 * loosely typed on purpose, so that `checkTerm` answers every caller's mistake the same way
 * (`400 invalid_term`, not `invalid_body`).
 */
export const termRequestFields = {
  term_start: z.string().max(32).optional().describe("first day of the term, YYYY-MM-DD"),
  term_months: z.number().optional().describe(`months per term, 1 to ${MAX_TERM_MONTHS}`),
};

/** Checks a plan name, for every caller (creating a tenant, its contract): `400 invalid_plan`. */
export function checkPlan(plan: string): string {
  if (!PLAN_PATTERN.test(plan)) {
    throw new ApiError("invalid_plan", "a plan is 1-32 lowercase letters, digits, dashes or underscores");
  }
  return plan;
}

/** A tenant as a request names it: its id or its name (`requireTenantByRef` finds it). */
export const tenantRefSchema = z.string().min(1).max(128).describe("a tenant's id or name");

/** Checks a term, for every caller: `400 invalid_term` names what is wrong. */
export function checkTerm(term: TermInput): TermInput {
  const parsed = termSchema.safeParse(term);
  if (parsed.success) return parsed.data;
  throw new ApiError(
    "invalid_term",
    `${describeIssue(parsed.error.issues[0], "term")} (a term starts on a calendar day, YYYY-MM-DD, and lasts 1 to ${MAX_TERM_MONTHS} months)`,
  );
}

export async function createTenant(
  db: D1Database,
  input: {
    name: string;
    plan?: string | undefined;
    termStart?: string | undefined;
    termMonths?: number | undefined;
    now: number;
  },
): Promise<TenantRow> {
  if (!TENANT_NAME_PATTERN.test(input.name)) {
    throw new ApiError(
      "invalid_tenant_name",
      "a tenant name is 1-63 lowercase letters, digits or dashes, not starting with a dash",
    );
  }
  const plan = checkPlan(input.plan ?? DEFAULT_PLAN);
  const fallback = defaultTerm(input.now);
  const term = checkTerm({
    term_start: input.termStart ?? fallback.term_start,
    term_months: input.termMonths ?? fallback.term_months,
  });
  const tenant: TenantRow = {
    id: randomId("tn_", 10),
    name: input.name,
    plan,
    disabled: false,
    created_at: input.now,
    ...term,
  };
  if (!(await insertTenant(db, tenant))) {
    throw new ApiError("tenant_exists", `a tenant named "${input.name}" exists already`);
  }
  return tenant;
}

/** A tenant by id or name, or a 404. */
export async function requireTenantByRef(db: D1Database, ref: string): Promise<TenantRow> {
  const tenant = await findTenant(db, ref);
  if (!tenant) throw new ApiError("unknown_tenant", `no tenant has the id or name "${ref}"`);
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
  options: { now: number; expiresAt?: number | null | undefined },
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

/**
 * Revokes one token named by its id (`tok_…`), its display prefix (`ehk_` + 8) or the token
 * itself. A prefix that matches several tokens is refused: revoke those by id.
 */
export async function revokeTokenByRef(
  db: D1Database,
  ref: string,
  now: number,
): Promise<{ token: TokenRow; alreadyRevoked: boolean }> {
  let matches: TokenRow[];
  if (TOKEN_ID_PATTERN.test(ref)) matches = await findTokens(db, "id", ref);
  else if (DISPLAY_PREFIX_PATTERN.test(ref)) matches = await findTokens(db, "prefix", ref);
  else if (isWellFormedToken(ref)) matches = await findTokens(db, "token_hash", await hashToken(ref));
  else {
    throw new ApiError(
      "invalid_token_ref",
      "give a token id (tok_…), a token prefix (ehk_ + 8 characters) or the token itself",
    );
  }
  const [token] = matches;
  if (!token) throw new ApiError("unknown_token", `no token matches "${ref}"`);
  if (matches.length > 1) {
    throw new ApiError(
      "ambiguous_token_ref",
      `"${ref}" matches ${matches.length} tokens; revoke by id: ${matches.map((m) => m.id).join(", ")}`,
    );
  }
  const revoked = await markRevoked(db, token.id, now);
  return { token: revoked ? { ...token, revoked_at: now } : token, alreadyRevoked: !revoked };
}

export async function setDisabled(db: D1Database, ref: string, disabled: boolean): Promise<TenantRow> {
  const tenant = await requireTenantByRef(db, ref);
  await setTenantDisabled(db, tenant.id, disabled);
  return { ...tenant, disabled };
}

export type TokenState = "active" | "expired" | "revoked";

export interface TenantListing extends TenantRow {
  tokens: (TokenRow & { state: TokenState })[];
}

/** Every tenant with its tokens and their state at `now`. */
export async function listTenants(db: D1Database, now: number): Promise<TenantListing[]> {
  const { tenants, tokens } = await listTenantsAndTokens(db);
  return tenants.map((tenant) => ({
    ...tenant,
    tokens: tokens
      .filter((token) => token.tenant_id === tenant.id)
      .map((token) => ({ ...token, state: tokenState(token, now) })),
  }));
}

function tokenState(token: TokenRow, now: number): TokenState {
  if (token.revoked_at !== null && token.revoked_at <= now) return "revoked";
  if (token.expires_at !== null && token.expires_at <= now) return "expired";
  return "active";
}
