import { constantTimeEqual } from "../lib/crypto";
import { MINUTE_MS } from "../lib/time";
import { findTokenByHash, type TenantRow } from "./store";
import { TokenCache } from "./token-cache";
import { hashToken, isWellFormedToken } from "./tokens";

/**
 * How long a verified token is trusted in an isolate without asking D1 again. It bounds how
 * long a revoked token, or a disabled tenant, may still be served: at most 60 s.
 */
export const VERIFIED_TOKEN_TTL_MS = MINUTE_MS;
/**
 * How long an unknown, revoked or expired token is remembered as such. Short, because the
 * only harm is a freshly issued token being refused for a few seconds if a client presented
 * it before it was written; long enough that a misconfigured client retrying a dead token in
 * a loop costs one D1 read per 10 s, not one per request. Floods of random tokens miss this
 * cache by construction: they are the rate limiter's job.
 */
export const REFUSED_TOKEN_TTL_MS = 10_000;
const MAX_CACHED_TOKENS = 1_000;

export type TokenRefusal = "malformed" | "unknown" | "revoked" | "expired";

export type TokenVerdict = { ok: true; tenant: TenantRow; tokenId: string } | { ok: false; reason: TokenRefusal };

type CachedVerdict =
  | { ok: true; tenant: TenantRow; tokenId: string; expiresAt: number | null }
  | { ok: false; reason: TokenRefusal };

const cache = new TokenCache<CachedVerdict>(MAX_CACHED_TOKENS);

/** Drops every cached verdict of this isolate (tests, and after an operator revokes by hand). */
export function forgetCachedTokens(): void {
  cache.clear();
}

/**
 * Verifies a presented tenant token. A disabled tenant still verifies (ok with
 * `tenant.disabled`), so the caller can answer 403 rather than 401.
 *
 * Timing: the token is never compared character by character. D1 is asked for the row whose
 * key is SHA-256(token). Whatever the lookup's timing reveals is about the hash of the
 * attacker's own guess, and learning that a guess's hash shares leading bytes with a stored
 * hash brings no guess closer to a token that hashes to it (that would need a preimage).
 * The final equality check runs `timingSafeEqual` over the two hashes anyway, so the match
 * itself does not depend on how the database compared keys.
 */
export async function verifyTenantToken(db: D1Database, token: string, now: number): Promise<TokenVerdict> {
  if (!isWellFormedToken(token)) return { ok: false, reason: "malformed" };
  const tokenHash = await hashToken(token);

  const cached = cache.get(tokenHash, now);
  if (cached) return judge(cached, now);

  const record = await findTokenByHash(db, tokenHash);
  let verdict: CachedVerdict;
  if (!record || !(await constantTimeEqual(record.token_hash, tokenHash))) verdict = { ok: false, reason: "unknown" };
  else if (record.revoked_at !== null && record.revoked_at <= now) verdict = { ok: false, reason: "revoked" };
  else verdict = { ok: true, tenant: record.tenant, tokenId: record.token_id, expiresAt: record.expires_at };

  const judged = judge(verdict, now);
  cache.set(
    tokenHash,
    verdict.ok && !judged.ok ? judged : verdict,
    now,
    judged.ok ? VERIFIED_TOKEN_TTL_MS : REFUSED_TOKEN_TTL_MS,
  );
  return judged;
}

/** Applies the expiry time, which is checked on every use, cached or not. */
function judge(verdict: CachedVerdict, now: number): TokenVerdict {
  if (!verdict.ok) return verdict;
  if (verdict.expiresAt !== null && verdict.expiresAt <= now) return { ok: false, reason: "expired" };
  return { ok: true, tenant: verdict.tenant, tokenId: verdict.tokenId };
}
