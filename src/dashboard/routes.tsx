import { Hono } from "hono";
import { csrf } from "hono/csrf";
import { createMiddleware } from "hono/factory";
import { NONCE, secureHeaders } from "hono/secure-headers";
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
    renderer,
    csrf(),
  )
  // The sign-in routes first: every route after them is behind the session (page-routes.tsx).
  .route("/", signInRoutes)
  .route("/", pageRoutes)
  .onError(dashboardError);
