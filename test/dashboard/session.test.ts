import { createExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { SESSION_TTL_MS, signSession } from "../../src/dashboard/session";
import worker from "../../src/index";
import { HOUR_MS } from "../../src/lib/time";
import { DEPLOYED, getPage, LOCAL, postSignIn, signIn } from "../helpers/dashboard";

/** Attributes of a Set-Cookie header, lower-cased names. */
function cookieAttributes(header: string | null) {
  const [pair = "", ...rest] = (header ?? "").split(/;\s*/);
  const [name = "", value = ""] = pair.split(/=(.*)/s);
  const attributes = new Map(
    rest.map((part) => part.split("=", 2) as [string, string | undefined]).map(([k, v]) => [k.toLowerCase(), v ?? ""]),
  );
  return { name, value, attributes };
}

describe("signing in to the dashboard", () => {
  it("exchanges the right token for an HttpOnly, SameSite=Strict cookie with an expiry, not Secure on http://127.0.0.1", async () => {
    const before = Date.now();
    const res = await postSignIn(LOCAL, "test-admin-token");
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/dashboard");
    const cookie = cookieAttributes(res.headers.get("set-cookie"));
    expect(cookie.name).toBe("edgehog_session");
    expect(cookie.attributes.has("httponly")).toBe(true);
    expect(cookie.attributes.get("samesite")).toBe("Strict");
    expect(cookie.attributes.get("path")).toBe("/");
    expect(cookie.attributes.has("secure")).toBe(false);
    expect(Number(cookie.attributes.get("max-age"))).toBe(SESSION_TTL_MS / 1000);
    const expires = Date.parse(cookie.attributes.get("expires") ?? "");
    expect(expires).toBeGreaterThanOrEqual(before + SESSION_TTL_MS - 1000);
    expect(expires).toBeLessThanOrEqual(Date.now() + SESSION_TTL_MS);
    // The token never appears in the cookie or the redirect.
    expect(res.headers.get("set-cookie")).not.toContain("test-admin-token");
  });

  it("sets a Secure __Host- cookie on a deployed (HTTPS, non-localhost) URL", async () => {
    const res = await postSignIn(DEPLOYED, "test-admin-token");
    expect(res.status).toBe(303);
    const cookie = cookieAttributes(res.headers.get("set-cookie"));
    expect(cookie.name).toBe("__Host-edgehog_session");
    expect(cookie.attributes.has("secure")).toBe(true);
    expect(cookie.attributes.has("httponly")).toBe(true);
    expect(cookie.attributes.get("samesite")).toBe("Strict");
    expect(cookie.attributes.get("path")).toBe("/");
    expect(cookie.attributes.has("domain")).toBe(false);
    expect(Number(cookie.attributes.get("max-age"))).toBe(SESSION_TTL_MS / 1000);
    expect(cookie.attributes.has("expires")).toBe(true);
    // The session it gives opens the pages there.
    expect((await getPage("/dashboard/health", `${cookie.name}=${cookie.value}`, DEPLOYED)).status).toBe(200);
  });

  it("refuses a wrong token with 401, the form again and no cookie", async () => {
    for (const token of ["wrong", "test-admin-token ", "TEST-ADMIN-TOKEN", ""]) {
      const res = await postSignIn(LOCAL, token);
      expect(res.status).toBe(401);
      expect(res.headers.get("set-cookie")).toBeNull();
      const page = await res.text();
      expect(page).toContain("That is not the operator token.");
      expect(page).toContain('name="token"');
    }
  });

  it("goes back to the page asked for, and only to a dashboard page", async () => {
    const cases: [string, string][] = [
      ["/dashboard/billing?month=2026-11", "/dashboard/billing?month=2026-11"],
      ["https://evil.example/dashboard", "/dashboard"],
      ["//evil.example/dashboard", "/dashboard"],
      ["/dashboardx", "/dashboard"],
      ["/dashboard/../v1/admin/tenants", "/dashboard"],
    ];
    for (const [next, location] of cases) {
      const res = await postSignIn(LOCAL, "test-admin-token", { next });
      expect(res.headers.get("location"), next).toBe(location);
    }
  });

  it("never takes the token from the URL", async () => {
    const res = await exports.default.fetch(`${LOCAL}/dashboard/login?token=test-admin-token`, { redirect: "manual" });
    expect(res.status).toBe(200);
    expect(res.headers.get("set-cookie")).toBeNull();
    expect(await res.text()).toContain('method="post"');
  });

  it("refuses a sign-in posted from another site (CSRF), even with the right token", async () => {
    const res = await postSignIn(LOCAL, "test-admin-token", { from: "https://evil.example" });
    expect(res.status).toBe(403);
    expect(res.headers.get("set-cookie")).toBeNull();
  });

  it("refuses a sign-in that is not the form", async () => {
    const json = await exports.default.fetch(`${LOCAL}/dashboard/login`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: LOCAL },
      body: JSON.stringify({ token: "test-admin-token" }),
    });
    expect(json.status).toBe(415);
    const huge = await postSignIn(LOCAL, "x".repeat(10_000));
    expect(huge.status).toBe(413);
  });

  it("says the dashboard is disabled when ADMIN_TOKEN is not set, and lets nobody in", async () => {
    const disabledEnv = { ...env, ADMIN_TOKEN: "" };
    const page = await worker.fetch(new Request(`${LOCAL}/dashboard/login`), disabledEnv, createExecutionContext());
    expect(await page.text()).toContain("The dashboard is disabled");
    const signIn = await worker.fetch(
      new Request(`${LOCAL}/dashboard/login`, {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded", origin: LOCAL },
        body: "token=",
      }),
      disabledEnv,
      createExecutionContext(),
    );
    expect(signIn.status).toBe(401);
    expect(signIn.headers.get("set-cookie")).toBeNull();
  });
});

describe("the session cookie", () => {
  it("opens the pages; a tampered, expired or foreign-signed one does not", async () => {
    const cookie = await signIn();
    expect((await getPage("/dashboard", cookie)).status).toBe(200);

    const [name, value = ""] = cookie.split("=");
    const [expiry = "", mac = ""] = value.split(".");
    const flipped = `${mac.slice(0, -2)}${mac.at(-2) === "A" ? "B" : "A"}${mac.at(-1)}`;
    const refused = [
      `${name}=${expiry}.${flipped}`, // another signature
      `${name}=${Number(expiry) + 3600}.${mac}`, // a later expiry with the old signature
      `${name}=${await signSession("test-admin-token", Date.now() - 1000)}`, // expired
      `${name}=${await signSession("a-rotated-admin-token", Date.now() + HOUR_MS)}`, // signed with another token
      `${name}=`,
      `${name}=garbage`,
    ];
    for (const bad of refused) {
      const res = await getPage("/dashboard", bad);
      expect(res.status, bad).toBe(302);
      expect(res.headers.get("location")).toBe("/dashboard/login?next=%2Fdashboard");
      // The bad cookie is cleared.
      expect(res.headers.get("set-cookie")).toMatch(/^edgehog_session=; Max-Age=0/);
    }
  });

  it("is cleared by signing out, which sends back to the form", async () => {
    const cookie = await signIn();
    const res = await exports.default.fetch(`${LOCAL}/dashboard/logout`, {
      method: "POST",
      redirect: "manual",
      headers: { cookie, origin: LOCAL, "content-type": "application/x-www-form-urlencoded" },
    });
    expect(res.status).toBe(303);
    expect(res.headers.get("location")).toBe("/dashboard/login");
    const cleared = cookieAttributes(res.headers.get("set-cookie"));
    expect(cleared.name).toBe("edgehog_session");
    expect(cleared.value).toBe("");
    expect(cleared.attributes.get("max-age")).toBe("0");
    expect(cleared.attributes.get("path")).toBe("/");
  });

  it("cannot be signed out from another site (CSRF)", async () => {
    const cookie = await signIn();
    const res = await exports.default.fetch(`${LOCAL}/dashboard/logout`, {
      method: "POST",
      redirect: "manual",
      headers: {
        cookie,
        origin: "https://evil.example",
        "sec-fetch-site": "cross-site",
        "content-type": "application/x-www-form-urlencoded",
      },
    });
    expect(res.status).toBe(403);
    expect(res.headers.get("set-cookie")).toBeNull();
  });
});
