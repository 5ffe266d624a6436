import { Hono } from "hono";
import { csrf } from "hono/csrf";
import { createMiddleware } from "hono/factory";
import { NONCE, type SecureHeadersVariables, secureHeaders } from "hono/secure-headers";
import { z } from "zod";
import { adminTokenProblem, isAdminToken } from "../admin/require-admin";
import { monthOf, monthStart, nextMonth } from "../billing/months";
import { readBillingUsage } from "../billing/queries";
import { billingCsv, monthSchema } from "../billing/route";
import type { AppEnv } from "../http/context";
import { backendUnavailable } from "../http/errors";
import { readFormBody } from "../http/read-body";
import { validQuery } from "../http/validation";
import { limitRequests } from "../ratelimit/middleware";
import { RateLimitedError } from "../ratelimit/rate-limited-error";
import { readBreakdown } from "../stats/breakdown";
import { readHealth } from "../stats/health";
import { readEventStats } from "../stats/queries";
import { statsMinInstallsOf } from "../stats/small-groups";
import { listTenants } from "../tenants/admin";
import { html, Page, SignInPage } from "./layout";
import { BillingPage } from "./pages/billing";
import { CataloguePage } from "./pages/catalogue";
import { DropsPage } from "./pages/drops";
import { EventsPage } from "./pages/events";
import { HealthPage } from "./pages/health";
import { bucketsOf, rangeOf } from "./series";
import { endSession, hasSession, requireSession, safeNext, startSession } from "./session";

/**
 * `/dashboard`: the operator's pages, rendered here with Hono's JSX (no script at all), behind a
 * session cookie obtained by signing in with ADMIN_TOKEN. Every answer carries a strict CSP
 * (nothing but this page's own nonce'd stylesheet, forms posting to this origin) and no-store;
 * POSTs from another origin are refused (csrf: Origin / Sec-Fetch-Site), on top of the
 * SameSite=Strict cookie.
 */

type DashboardEnv = AppEnv & { Variables: SecureHeadersVariables };

/** A sign-in form is a few hundred bytes: anything much larger is not one. */
const MAX_FORM_BYTES = 4096;

const noStore = createMiddleware(async (c, next) => {
  await next();
  c.header("Cache-Control", "no-store");
});

/** A page's reads from D1: a failure is a 503 with Retry-After (reload shortly), never a page of zeros. */
async function fromD1<T>(read: Promise<T>): Promise<T> {
  try {
    return await read;
  } catch (err) {
    console.error("dashboard: reading D1 failed", err);
    throw backendUnavailable("storage_unavailable", "the database could not be read; reload the page in a few seconds");
  }
}

const nonceOf = (c: { get(key: "secureHeadersNonce"): string | undefined }) => c.get("secureHeadersNonce") ?? "";
const originOf = (url: string) => new URL(url).origin;

export const dashboardRoutes = new Hono<DashboardEnv>()
  .use(
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'none'"],
        styleSrc: [NONCE],
        imgSrc: ["data:"],
        formAction: ["'self'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
      },
      xFrameOptions: "DENY",
    }),
    noStore,
    csrf(),
  )
  .get("/login", async (c) => {
    const next = safeNext(c.req.query("next"));
    const problem = adminTokenProblem(c.env.ADMIN_TOKEN, c.req.url);
    if (!problem && (await hasSession(c))) return c.redirect(next, 302);
    return html(c, <SignInPage nonce={nonceOf(c)} next={next} disabled={problem} />, problem ? 503 : 200);
  })
  .post("/login", limitRequests, async (c) => {
    const problem = adminTokenProblem(c.env.ADMIN_TOKEN, c.req.url);
    if (problem) return html(c, <SignInPage nonce={nonceOf(c)} next="/dashboard" disabled={problem} />, 503);
    const form = await readFormBody(c.req.raw, MAX_FORM_BYTES);
    const next = safeNext(form.get("next") ?? undefined);
    const refuse = (error: string, status: 401 | 429) =>
      html(c, <SignInPage nonce={nonceOf(c)} next={next} error={error} />, status);
    try {
      // The operator API's own check: failed attempts are counted against the client there.
      if (!(await isAdminToken(c, form.get("token") ?? undefined)))
        return refuse("That is not the operator token.", 401);
    } catch (err) {
      if (!(err instanceof RateLimitedError)) throw err;
      c.header("Retry-After", err.headers["Retry-After"] ?? "60");
      return refuse(`Too many failed attempts from this address: try again in ${err.headers["Retry-After"]} s.`, 429);
    }
    await startSession(c, Date.now());
    return c.redirect(next, 303);
  })
  .post("/logout", (c) => {
    endSession(c);
    return c.redirect("/dashboard/login", 303);
  })
  .get("/", requireSession, async (c) => {
    const { range, error } = rangeOf(c.req.query(), Date.now());
    const [stats, breakdown] = await fromD1(
      Promise.all([
        readEventStats(c.env.DB, range.app, range.from, range.to),
        readBreakdown(c.env.DB, range.app, range.from, range.to, statsMinInstallsOf(c.env)),
      ]),
    );
    const page = (
      <Page title="Events" nonce={nonceOf(c)} current="/dashboard">
        <EventsPage
          range={range}
          error={error}
          stats={stats}
          breakdown={breakdown}
          buckets={bucketsOf(range.from, range.to)}
          origin={originOf(c.req.url)}
        />
      </Page>
    );
    return html(c, page, error ? 400 : 200);
  })
  .get("/drops", requireSession, async (c) => {
    const { range, error } = rangeOf(c.req.query(), Date.now());
    const stats = await fromD1(readEventStats(c.env.DB, range.app, range.from, range.to));
    const page = (
      <Page title="Visible drops" nonce={nonceOf(c)} current="/dashboard/drops">
        <DropsPage range={range} error={error} stats={stats} buckets={bucketsOf(range.from, range.to)} />
      </Page>
    );
    return html(c, page, error ? 400 : 200);
  })
  .get("/billing", requireSession, async (c) => {
    const now = Date.now();
    const given = c.req.query("month");
    const parsed = monthSchema.safeParse(given || monthOf(now));
    const month = parsed.success ? parsed.data : monthOf(now);
    const [rows, tenants] = await fromD1(Promise.all([readBillingUsage(c.env.DB, month), listTenants(c.env.DB, now)]));
    const page = (
      <Page title="Tenants and billing" nonce={nonceOf(c)} current="/dashboard/billing">
        <BillingPage
          month={month}
          previous={monthOf(monthStart(month) - 1)}
          next={nextMonth(month)}
          error={parsed.success ? undefined : `"${given}" is not a month, YYYY-MM`}
          rows={rows}
          tenantNames={tenants.map((tenant) => tenant.name)}
          origin={originOf(c.req.url)}
        />
      </Page>
    );
    return html(c, page, parsed.success ? 200 : 400);
  })
  .get("/billing.csv", requireSession, validQuery(z.object({ month: monthSchema }), "?month=YYYY-MM"), async (c) => {
    const { month } = c.req.valid("query");
    return billingCsv(c, month, await fromD1(readBillingUsage(c.env.DB, month)));
  })
  .get("/catalogue", requireSession, (c) =>
    html(
      c,
      <Page title="Catalogue" nonce={nonceOf(c)} current="/dashboard/catalogue">
        <CataloguePage />
      </Page>,
    ),
  )
  .get("/health", requireSession, async (c) => {
    const health = await fromD1(readHealth(c.env.DB));
    return html(
      c,
      <Page title="Health" nonce={nonceOf(c)} current="/dashboard/health">
        <HealthPage health={health} origin={originOf(c.req.url)} />
      </Page>,
    );
  });
