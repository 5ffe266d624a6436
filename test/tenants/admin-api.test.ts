import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { forgetCachedTokens } from "../../src/tenants/verify";
import { bearer, callJson, operator, postUsage } from "../helpers/harness";

function admin(method: string, path: string, body?: unknown, headers = operator()) {
  return callJson<Record<string, unknown> & { error?: string }>(method, `/v1/admin${path}`, body, { headers });
}

interface Listing {
  name: string;
  id: string;
  disabled: boolean;
  tokens: { id: string; prefix: string; state: string }[];
}

beforeEach(() => forgetCachedTokens());

describe("operator API: tenants and tokens", () => {
  it("refuses every endpoint without the operator token", async () => {
    for (const [method, path] of [
      ["GET", "/tenants"],
      ["POST", "/tenants"],
      ["GET", "/tenants/x"],
      ["POST", "/tenants/x/tokens"],
      ["POST", "/tenants/x/disable"],
      ["POST", "/tokens/revoke"],
    ] as const) {
      const res = await admin(method, path, method === "GET" ? undefined : { name: "nope" }, bearer("wrong-token"));
      expect(res.status, `${method} ${path}`).toBe(401);
      expect(res.body.error).toBe("unauthorized");
    }
    expect((await env.DB.prepare("SELECT COUNT(*) AS n FROM tenants WHERE name = 'nope'").first())?.n).toBe(0);
  });

  it("creates a tenant once, issues a token that authenticates, lists it, and revokes it", async () => {
    const created = await admin("POST", "/tenants", { name: "acme", plan: "enterprise" });
    expect(created.status).toBe(201);
    // The default term: the 1st of the creation month, 12 months.
    const firstOfMonth = `${String((created.body.tenant as { created_at: string }).created_at).slice(0, 7)}-01`;
    expect(created.body.tenant).toMatchObject({
      name: "acme",
      plan: "enterprise",
      disabled: false,
      term_start: firstOfMonth,
      term_months: 12,
    });
    expect((await admin("POST", "/tenants", { name: "acme" })).body.error).toBe("tenant_exists");

    const issued = await admin("POST", "/tenants/acme/tokens", { expires_in_days: 30 });
    expect(issued.status).toBe(201);
    const token = issued.body.token as string;
    expect(token).toMatch(/^ehk_[A-Za-z0-9_-]{43}$/);
    expect(Date.parse(issued.body.expires_at as string) - Date.now()).toBeGreaterThan(29 * 86_400_000);
    expect((await postUsage({ reports: [] }, bearer(token))).status).toBe(400); // authenticated; an empty body is the only fault

    const { body } = await admin("GET", "/tenants");
    const acme = (body.tenants as Listing[]).find((t) => t.name === "acme");
    expect(acme?.tokens).toEqual([expect.objectContaining({ id: issued.body.id, state: "active" })]);
    // The token itself is never listed, and neither is its hash.
    expect(JSON.stringify(body)).not.toContain(token);
    expect(JSON.stringify(body)).not.toContain("token_hash");

    const revoked = await admin("POST", "/tokens/revoke", { token: issued.body.prefix });
    expect(revoked.body).toMatchObject({ already_revoked: false, token: { id: issued.body.id } });
    expect((await admin("POST", "/tokens/revoke", { token })).body.already_revoked).toBe(true);
    forgetCachedTokens();
    expect((await postUsage({ reports: [] }, bearer(token))).status).toBe(401);
  });

  it("disables and enables a tenant by name or id", async () => {
    const { body } = await admin("POST", "/tenants", { name: "toggle-co" });
    const id = (body.tenant as { id: string }).id;
    const { token } = (await admin("POST", `/tenants/${id}/tokens`, {})).body as { token: string };
    expect((await admin("POST", "/tenants/toggle-co/disable")).body.tenant).toMatchObject({ disabled: true });
    expect((await postUsage({ reports: [] }, bearer(token))).status).toBe(403);
    await admin("POST", `/tenants/${id}/enable`);
    forgetCachedTokens();
    expect((await postUsage({ reports: [] }, bearer(token))).status).toBe(400);
  });

  it("answers clear 4xx errors", async () => {
    expect((await admin("POST", "/tenants", { name: "Not A Handle" })).body.error).toBe("invalid_tenant_name");
    expect((await admin("POST", "/tenants", { name: "ok", plan: "Gold!" })).body.error).toBe("invalid_plan");
    expect((await admin("POST", "/tenants", {})).body.error).toBe("invalid_body");
    expect((await admin("POST", "/tenants/ghost/tokens", {})).status).toBe(404);
    expect((await admin("POST", "/tenants/ghost/disable")).body.error).toBe("unknown_tenant");
    expect((await admin("POST", "/tenants/acme/tokens", { expires_in_days: 0 })).body.error).toBe("invalid_body");
    expect((await admin("POST", "/tokens/revoke", { token: "nonsense" })).body.error).toBe("invalid_token_ref");
    expect((await admin("POST", "/tokens/revoke", { token: `tok_${"0".repeat(16)}` })).status).toBe(404);
  });

  it("refuses a token prefix that matches several tokens, naming them", async () => {
    await admin("POST", "/tenants", { name: "twins" });
    const a = (await admin("POST", "/tenants/twins/tokens", {})).body;
    const b = (await admin("POST", "/tenants/twins/tokens", {})).body;
    // Make the two display prefixes collide, as they may by chance (48 bits).
    await env.DB.prepare("UPDATE tenant_tokens SET prefix = ?1 WHERE id IN (?2, ?3)")
      .bind("ehk_SAMEPREF", a.id, b.id)
      .run();
    const res = await admin("POST", "/tokens/revoke", { token: "ehk_SAMEPREF" });
    expect(res.status).toBe(409);
    expect(res.body).toMatchObject({ error: "ambiguous_token_ref", message: expect.stringContaining(a.id as string) });
  });
});
