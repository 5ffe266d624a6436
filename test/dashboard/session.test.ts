import { describe, expect, it } from "vitest";
import { LOCAL_EXAMPLE_ADMIN_TOKEN } from "../../src/admin/require-admin";
import { dashboardRoutes } from "../../src/dashboard/routes";
import { SESSION_TTL_MS, signSession } from "../../src/dashboard/session";
import { signInRoutes } from "../../src/dashboard/sign-in-routes";
import { HOUR_MS } from "../../src/lib/time";
import { ADMIN_TOKEN, DEPLOYED, getPage, LOCAL, postSignIn, signIn } from "../helpers/dashboard";
import { call } from "../helpers/harness";

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
    const res = await postSignIn(LOCAL, ADMIN_TOKEN);
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
    expect(res.headers.get("set-cookie")).not.toContain(ADMIN_TOKEN);
  });

  it("sets a Secure __Host- cookie on a deployed (HTTPS, non-localhost) URL", async () => {
    const res = await postSignIn(DEPLOYED, ADMIN_TOKEN);
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
    for (const token of ["wrong", `${ADMIN_TOKEN} `, ADMIN_TOKEN.toUpperCase(), ""]) {
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
      const res = await postSignIn(LOCAL, ADMIN_TOKEN, { next });
      expect(res.headers.get("location"), next).toBe(location);
    }
  });

  it("never takes the token from the URL", async () => {
    const res = await call(`${LOCAL}/dashboard/login?token=${ADMIN_TOKEN}`, { redirect: "manual" });
    expect(res.status).toBe(200);
    expect(res.headers.get("set-cookie")).toBeNull();
    expect(await res.text()).toContain('method="post"');
  });

  it("refuses a sign-in posted from another site (CSRF), even with the right token", async () => {
    const res = await postSignIn(LOCAL, ADMIN_TOKEN, { from: "https://evil.example" });
    expect(res.status).toBe(403);
    expect(res.headers.get("set-cookie")).toBeNull();
  });

  it("refuses a sign-in that is not the form", async () => {
    const json = await call(`${LOCAL}/dashboard/login`, {
      method: "POST",
      headers: { "content-type": "application/json", origin: LOCAL },
      body: JSON.stringify({ token: ADMIN_TOKEN }),
    });
    expect(json.status).toBe(415);
    const huge = await postSignIn(LOCAL, "x".repeat(10_000));
    expect(huge.status).toBe(413);
  });

  it.each([
    ["not set", "", LOCAL],
    ["the local example, on a deployed URL", LOCAL_EXAMPLE_ADMIN_TOKEN, DEPLOYED],
    ["too short, on a deployed URL", "short-but-right", DEPLOYED],
  ])("says the dashboard is disabled when ADMIN_TOKEN is %s, and lets nobody in", async (_, token, origin) => {
    const callWeak = (path: string, init: RequestInit = {}) =>
      call(`${origin}${path}`, { redirect: "manual", ...init }, { bindings: { ADMIN_TOKEN: token } });
    const form = await callWeak("/dashboard/login");
    expect(form.status).toBe(503);
    expect(await form.text()).toContain("The dashboard is disabled");
    const attempt = await callWeak("/dashboard/login", {
      method: "POST",
      headers: { "content-type": "application/x-www-form-urlencoded", origin },
      body: new URLSearchParams({ token }),
    });
    expect(attempt.status).toBe(503);
    expect(attempt.headers.get("set-cookie")).toBeNull();
    // Nor does a session signed with that token open a page.
    const name = origin === LOCAL ? "edgehog_session" : "__Host-edgehog_session";
    const forged = `${name}=${await signSession(token || "any", Date.now() + HOUR_MS)}`;
    const page = await callWeak("/dashboard/health", { headers: { cookie: forged, accept: "text/html" } });
    expect(page.status).toBe(302);
  });

  it("counts failed attempts: the 11th from one address is refused for a while, with the form", async () => {
    const ip = "198.51.100.77";
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) statuses.push((await postSignIn(LOCAL, `guess-${i}`, { ip })).status);
    expect(statuses).toEqual([...Array(10).fill(401), 429]);
    const refused = await postSignIn(LOCAL, "guess-again", { ip });
    expect(refused.status).toBe(429);
    expect(refused.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(await refused.text()).toContain("Too many failed attempts from this address");
    // The right token is never refused for them, and other addresses are unaffected.
    expect((await postSignIn(LOCAL, ADMIN_TOKEN, { ip })).status).toBe(303);
    expect((await postSignIn(LOCAL, "guess-elsewhere")).status).toBe(401);
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
      `${name}=${await signSession(ADMIN_TOKEN, Date.now() - 1000)}`, // expired
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
    const res = await call(`${LOCAL}/dashboard/logout`, {
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
    const res = await call(`${LOCAL}/dashboard/logout`, {
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

describe("the session guard", () => {
  // Read from the dashboard's own routes: a page added later is checked without being listed here.
  const signInPaths = new Set(signInRoutes.routes.map((route) => route.path));
  const pages = [
    ...new Set(
      dashboardRoutes.routes
        .filter((route) => route.method === "GET" && !route.path.includes("*") && !signInPaths.has(route.path))
        .map((route) => `/dashboard${route.path === "/" ? "" : route.path}`),
    ),
  ];

  it("covers every dashboard route but the sign-in form's: a browser is sent to the form, a script refused", async () => {
    expect(pages).toEqual(expect.arrayContaining(["/dashboard", "/dashboard/health", "/dashboard/billing.csv"]));
    for (const path of [...pages, "/dashboard/not-a-page"]) {
      const page = await getPage(path);
      expect(page.status, path).toBe(302);
      expect(page.headers.get("location")).toBe(`/dashboard/login?next=${encodeURIComponent(path)}`);
      const script = await call(`${LOCAL}${path}`);
      expect(script.status, path).toBe(401);
    }
  });
});
