import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { dashboardHtml, getPage, LOCAL, signIn } from "../helpers/dashboard";
import { call } from "../helpers/harness";
import { elementsOf } from "../helpers/html";
import { unavailableDb } from "../helpers/queue";

/**
 * The dashboard's errors: an HTML page to a browser (status, message, a way back, the dashboard's
 * CSP and no-store, Retry-After where there is one), the API's JSON to a script, and JSON still
 * everywhere outside /dashboard.
 */

const SEED = 20_261_126;
const month = new Date().toISOString().slice(0, 7);

let cookie: string;
beforeAll(async () => {
  cookie = await signIn();
});

/** The page's element names inside <body>, and the text of its alert. */
async function readErrorPage(page: string): Promise<{ tags: string[]; alert: string }> {
  const tags = (await elementsOf(page, "body *")).map((element) => element.tag);
  const alerts = await elementsOf(page, "[role=alert]");
  expect(alerts).toHaveLength(1);
  return { tags, alert: alerts[0]?.text ?? "" };
}

describe("a storage failure on a dashboard page", () => {
  const withoutD1 = (path: string, headers: Record<string, string>) =>
    call(`${LOCAL}${path}`, { headers: { cookie, ...headers } }, { bindings: { DB: unavailableDb } });

  it.each([
    "/dashboard?from=2026-01-01&to=2026-01-31",
    "/dashboard/drops",
    "/dashboard/billing",
    `/dashboard/billing?month=${month}`,
    "/dashboard/billing/tenant?tenant=acme",
    "/dashboard/health",
    `/dashboard/billing.csv?month=${month}`,
    `/dashboard/billing/export.csv?tenant=acme&month=${month}`,
  ])("%s shows a browser the error page: 503, Retry-After, a way back — never a page of zeros", async (path) => {
    const res = await withoutD1(path, { accept: "text/html,application/xhtml+xml" });
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("5");
    const page = await dashboardHtml(res);
    expect(page).toContain("<title>503 Temporarily unavailable · edgehog</title>");
    expect((await readErrorPage(page)).alert).toBe("The database did not answer; try again in a few seconds.");
    expect(page).toContain("Try again in 5 s.");
    expect(page).toContain(`<a href="${path.replace(/&/g, "&amp;")}">Try again</a>`);
    expect(page).toContain('<a href="/dashboard">Back to the dashboard</a>');
    expect(page).toContain("<code>storage_unavailable</code>");
  });

  it("answers a script with the API's JSON and Retry-After", async () => {
    const res = await withoutD1(`/dashboard/billing.csv?month=${month}`, {});
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("5");
    expect(await res.json()).toMatchObject({ error: "storage_unavailable" });
  });
});

describe("an error the dashboard did not expect", () => {
  it("is a 500 page to a browser that gives nothing of the error away, and the API's JSON to a script", async () => {
    // A misconfigured Worker: the events page cannot find its database.
    const broken = { EVENT_DATABASES: "DB,NOT_A_BINDING" };
    const fetchBroken = (headers: Record<string, string>) =>
      call(`${LOCAL}/dashboard`, { headers: { cookie, ...headers } }, { bindings: broken });
    const res = await fetchBroken({ accept: "text/html" });
    expect(res.status).toBe(500);
    const page = await dashboardHtml(res);
    expect(page).toContain("<title>500 Something went wrong · edgehog</title>");
    expect((await readErrorPage(page)).alert).toBe("An unexpected error occurred.");
    expect(page).not.toMatch(/NOT_A_BINDING|Try again/);
    const script = await fetchBroken({});
    expect(script.status).toBe(500);
    expect(await script.json()).toEqual({ error: "internal_error", message: "an unexpected error occurred" });
  });
});

describe("a path under /dashboard that is no page", () => {
  it("is a 404 page to a signed-in browser, whatever the path (escaped), and JSON to a script", async () => {
    const benign = await getPage("/dashboard/nope", cookie);
    expect(benign.status).toBe(404);
    const shape = (await readErrorPage(await dashboardHtml(benign))).tags;
    expect(shape).toContain("main");
    const hostile = fc.string({ unit: fc.constantFrom("a", "b", "<", ">", '"', "'", " ", "-"), maxLength: 24 });
    await fc.assert(
      fc.asyncProperty(hostile, async (segment) => {
        const path = `/dashboard/x${encodeURIComponent(segment)}`;
        const res = await getPage(path, cookie);
        expect(res.status).toBe(404);
        const page = await readErrorPage(await dashboardHtml(res));
        expect(page.tags).toEqual(shape);
        expect(page.alert).toBe(`No route for GET /dashboard/x${segment}.`);
      }),
      { seed: SEED, numRuns: 40 },
    );
    for (const path of ["/dashboard/", "/dashboard/billing/2026", "/dashboard/login/x"]) {
      const res = await getPage(path, cookie);
      expect(res.status, path).toBe(404);
      expect(await dashboardHtml(res)).toContain("<title>404 Page not found · edgehog</title>");
    }
    const script = await call(`${LOCAL}/dashboard/nope`, { headers: { cookie } });
    expect(script.status).toBe(404);
    expect(await script.json()).toEqual({ error: "not_found", message: "no route for GET /dashboard/nope" });
  });

  it("sends a browser without a session to the sign-in form, as every page does", async () => {
    const res = await getPage("/dashboard/nope");
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe("/dashboard/login?next=%2Fdashboard%2Fnope");
  });
});

describe("requests the dashboard refuses", () => {
  it("shows a browser a page for a bad query, a cross-site form and a body that is no form", async () => {
    const badMonth = await getPage("/dashboard/billing.csv?month=2026-1", cookie);
    expect(badMonth.status).toBe(400);
    expect((await readErrorPage(await dashboardHtml(badMonth))).alert).toMatch(
      /^Month: .*\(expected \?month=YYYY-MM\)\.$/,
    );
    const post = (headers: Record<string, string>, body: string) =>
      call(`${LOCAL}/dashboard/login`, {
        method: "POST",
        redirect: "manual",
        headers: { accept: "text/html", ...headers },
        body,
      });
    const crossSite = await post(
      {
        origin: "https://evil.example",
        "sec-fetch-site": "cross-site",
        "content-type": "application/x-www-form-urlencoded",
      },
      "token=x",
    );
    expect(crossSite.status).toBe(403);
    expect(await dashboardHtml(crossSite)).toContain("<title>403 Refused · edgehog</title>");
    const notAForm = await post({ origin: LOCAL, "content-type": "application/json" }, "{}");
    expect(notAForm.status).toBe(415);
    expect(await dashboardHtml(notAForm)).toContain("<title>415 Not a form · edgehog</title>");
  });

  it("answers a script with the API's JSON", async () => {
    const res = await call(`${LOCAL}/dashboard/billing.csv?month=2026-1`, { headers: { cookie } });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: "invalid_query" });
  });
});

describe("outside /dashboard", () => {
  it("errors stay JSON, even to a browser", async () => {
    for (const [path, status] of [
      ["/v1/nope", 404],
      ["/v1/stats/health", 401],
    ] as const) {
      const res = await getPage(path, cookie);
      expect(res.status, path).toBe(status);
      expect(res.headers.get("content-type"), path).toMatch(/^application\/json/);
    }
  });
});
