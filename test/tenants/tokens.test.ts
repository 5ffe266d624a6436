import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { createTenant, issueToken } from "../../src/tenants/admin";
import { revokeToken, setTenantDisabled } from "../../src/tenants/store";
import { hashToken, isWellFormedToken } from "../../src/tenants/tokens";
import {
  forgetCachedTokens,
  REFUSED_TOKEN_TTL_MS,
  VERIFIED_TOKEN_TTL_MS,
  verifyTenantToken,
} from "../../src/tenants/verify";

const T0 = Date.parse("2026-05-01T00:00:00Z");

describe("tenant tokens", () => {
  beforeEach(() => forgetCachedTokens());

  it("issues a 256-bit ehk_ token and stores only its SHA-256", async () => {
    const tenant = await createTenant(env.DB, { name: "issue-co", now: T0 });
    const issued = await issueToken(env.DB, tenant.id, { now: T0 });
    expect(isWellFormedToken(issued.token)).toBe(true);
    expect(issued.token).toMatch(/^ehk_[A-Za-z0-9_-]{43}$/);
    expect(issued.prefix).toBe(issued.token.slice(0, 12));

    const row = await env.DB.prepare("SELECT * FROM tenant_tokens WHERE id = ?1")
      .bind(issued.id)
      .first<Record<string, unknown>>();
    expect(row?.token_hash).toBe(await hashToken(issued.token));
    expect(Object.values(row ?? {})).not.toContain(issued.token);
  });

  it("verifies a live token and names its tenant", async () => {
    const tenant = await createTenant(env.DB, { name: "verify-co", plan: "enterprise", now: T0 });
    const issued = await issueToken(env.DB, tenant.id, { now: T0 });
    const verdict = await verifyTenantToken(env.DB, issued.token, T0);
    expect(verdict).toMatchObject({
      ok: true,
      tokenId: issued.id,
      tenant: { id: tenant.id, name: "verify-co", plan: "enterprise" },
    });
  });

  it("refuses malformed and unknown tokens", async () => {
    expect(await verifyTenantToken(env.DB, "not-a-token", T0)).toEqual({ ok: false, reason: "malformed" });
    const unknown = `ehk_${"A".repeat(43)}`;
    expect(await verifyTenantToken(env.DB, unknown, T0)).toEqual({ ok: false, reason: "unknown" });
  });

  it("keeps two tokens live at once (rotation), then revoking one leaves the other", async () => {
    const tenant = await createTenant(env.DB, { name: "rotate-co", now: T0 });
    const first = await issueToken(env.DB, tenant.id, { now: T0 });
    const second = await issueToken(env.DB, tenant.id, { now: T0 });
    expect((await verifyTenantToken(env.DB, first.token, T0)).ok).toBe(true);
    expect((await verifyTenantToken(env.DB, second.token, T0)).ok).toBe(true);

    expect(await revokeToken(env.DB, first.id, T0)).toBe(true);
    forgetCachedTokens();
    expect(await verifyTenantToken(env.DB, first.token, T0)).toEqual({ ok: false, reason: "revoked" });
    expect((await verifyTenantToken(env.DB, second.token, T0)).ok).toBe(true);
  });

  it("refuses an expired token, even from the cache", async () => {
    const tenant = await createTenant(env.DB, { name: "expire-co", now: T0 });
    const issued = await issueToken(env.DB, tenant.id, { now: T0, expiresAt: T0 + 1_000 });
    expect((await verifyTenantToken(env.DB, issued.token, T0)).ok).toBe(true);
    // Still cached as verified, but expiry is checked on every use.
    expect(await verifyTenantToken(env.DB, issued.token, T0 + 1_000)).toEqual({ ok: false, reason: "expired" });
  });

  it("serves a revocation within the cache bound", async () => {
    const tenant = await createTenant(env.DB, { name: "cache-co", now: T0 });
    const issued = await issueToken(env.DB, tenant.id, { now: T0 });
    expect((await verifyTenantToken(env.DB, issued.token, T0)).ok).toBe(true);
    await revokeToken(env.DB, issued.id, T0 + 1);
    // Within the bound the isolate may still trust its cached verdict...
    expect((await verifyTenantToken(env.DB, issued.token, T0 + VERIFIED_TOKEN_TTL_MS - 1)).ok).toBe(true);
    // ...and once it has passed, the revocation is seen.
    expect(await verifyTenantToken(env.DB, issued.token, T0 + VERIFIED_TOKEN_TTL_MS)).toEqual({
      ok: false,
      reason: "revoked",
    });
  });

  it("remembers a refused token only briefly", async () => {
    const tenant = await createTenant(env.DB, { name: "miss-co", now: T0 });
    const issued = await issueToken(env.DB, tenant.id, { now: T0 });
    await revokeToken(env.DB, issued.id, T0);
    expect((await verifyTenantToken(env.DB, issued.token, T0)).ok).toBe(false);
    // Un-revoking is not an operator action, but it shows when the refusal is re-checked.
    await env.DB.prepare("UPDATE tenant_tokens SET revoked_at = NULL WHERE id = ?1").bind(issued.id).run();
    expect((await verifyTenantToken(env.DB, issued.token, T0 + REFUSED_TOKEN_TTL_MS - 1)).ok).toBe(false);
    expect((await verifyTenantToken(env.DB, issued.token, T0 + REFUSED_TOKEN_TTL_MS)).ok).toBe(true);
  });

  it("reports a disabled tenant's token as its tenant's, marked disabled", async () => {
    const tenant = await createTenant(env.DB, { name: "disabled-co", now: T0 });
    const issued = await issueToken(env.DB, tenant.id, { now: T0 });
    await setTenantDisabled(env.DB, tenant.id, true);
    expect(await verifyTenantToken(env.DB, issued.token, T0)).toMatchObject({ ok: true, tenant: { disabled: true } });
  });

  it("refuses tenant names that are not plain handles", async () => {
    for (const name of ["Acme", "a'b", "", "-x", "a b", "x".repeat(64)]) {
      await expect(createTenant(env.DB, { name, now: T0 })).rejects.toMatchObject({
        status: 400,
        code: "invalid_tenant_name",
      });
    }
  });
});
