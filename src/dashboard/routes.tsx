import { csrf } from "hono/csrf";
import { createMiddleware } from "hono/factory";
import { NONCE, secureHeaders } from "hono/secure-headers";
import { z } from "zod";
import { routesApp } from "../http/openapi";
import { dashboardError } from "./error-page";
import { pageRoutes } from "./page-routes";
import type { DashboardEnv } from "./renderer";
import { renderer } from "./renderer";
import { signInRoutes } from "./sign-in-routes";

/**
 * `/dashboard`: the operator's pages, rendered here with Hono's JSX (no script at all), behind a
 * session cookie obtained by signing in with ADMIN_TOKEN. Every answer — pages, the sign-in form,
 * error pages — carries a strict CSP (nothing but the page's own nonce'd stylesheet, forms
 * posting to this origin) and no-store; POSTs from another origin are refused (csrf: Origin /
 * Sec-Fetch-Site), on top of the SameSite=Strict cookie. Errors are answered by the dashboard's
 * own handler (error-page.tsx): a page to a browser, the API's JSON to a script.
 */

const noStore = createMiddleware(async (c, next) => {
  await next();
  c.header("Cache-Control", "no-store");
});

export const dashboardRoutes = routesApp<DashboardEnv>();

dashboardRoutes
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
    renderer,
    csrf(),
  )
  // The sign-in routes first: every route after them is behind the session (page-routes.tsx).
  .route("/", signInRoutes)
  .route("/", pageRoutes)
  .onError(dashboardError);

const html = (description: string) => ({ description, content: { "text/html": { schema: z.string() } } });
const PAGES: ReadonlyArray<[method: "get" | "post", path: string, summary: string]> = [
  ["get", "/login", "The sign-in form"],
  ["post", "/login", "Sign in with the operator token (a form: token, next); failed attempts are counted"],
  ["post", "/logout", "Sign out"],
  ["get", "/", "Events: what was collected per day, by version, OS and country (?app, from, to or days)"],
  [
    "get",
    "/insights",
    "Insights: a breakdown of an event by a property, adoption, retention and a funnel, small groups hidden (?app, from, to, event, property, os, app_version, compare, steps, window_days, period)",
  ],
  ["get", "/drops", "Visible drops: rejections and dropped properties per day"],
  [
    "get",
    "/billing",
    "Tenants and billing: each tenant's open and last closed period, silent reporters, contracts (or, with ?month=YYYY-MM, the periods starting in a month)",
  ],
  ["get", "/billing.csv", "A period's billing rows as CSV (?month=YYYY-MM)"],
  [
    "get",
    "/billing/tenant",
    "One tenant's billing: its period day by day, its history, its reporting (?tenant, month, months)",
  ],
  ["get", "/billing/export.csv", "A tenant's period as evidence CSV, as GET /v1/billing/usage/export (?tenant, month)"],
  ["get", "/catalogue", "The catalogue"],
  ["get", "/health", "The pipeline's health"],
];
for (const [method, path, summary] of PAGES) {
  dashboardRoutes.openAPIRegistry.registerPath({
    method,
    path,
    tags: ["dashboard"],
    summary,
    description:
      "An operator's page (HTML, strict CSP, no-store). Behind the session cookie but for the sign-in routes: a browser without one is sent to the form, a script gets 401 JSON; errors are pages to a browser, the API's JSON to a script.",
    responses: {
      200: path.endsWith(".csv")
        ? { description: "the CSV", content: { "text/csv": { schema: z.string() } } }
        : html("the page"),
      ...(method === "post" ? { 303: { description: "signed in or out: on to the next page" } } : {}),
      503: html("storage did not answer (Retry-After), or the operator token is unset or too weak"),
    },
  });
}
