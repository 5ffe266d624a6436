import { Hono } from "hono";
import { cors } from "hono/cors";
import { requireAdmin } from "./admin/require-admin";
import { eventsRedrive } from "./aggregate/redrive";
import { archiveRoutes } from "./archive/routes";
import { contractRoutes } from "./billing/contract-route";
import { billingOperationsRoutes } from "./billing/operations-route";
import { billingRoutes } from "./billing/route";
import { billingAdminRoutes } from "./billing/term-route";
import { webhookRedrive } from "./billing/webhooks/redrive";
import { catalogRoutes } from "./catalog/route";
import { dashboardRoutes } from "./dashboard/routes";
import { deadLetterRoutes } from "./deadletters/routes";
import { doctorRoutes } from "./doctor/routes";
import { forgetRoutes } from "./forget/route";
import { forwardRedrive } from "./forward/redrive";
import { homeRoutes } from "./home/route";
import type { AppEnv } from "./http/context";
import { handleError, handleNotFound } from "./http/errors";
import { eventsRoutes } from "./ingest/route";
import { posthogCapturePaths, posthogCors, posthogPaths, posthogRoutes } from "./posthog/routes";
import { rpcErrors } from "./prehog/errors";
import { prehogPaths, prehogRoutes } from "./prehog/router";
import { limitRequests } from "./ratelimit/middleware";
import { statsRoutes } from "./stats/route";
import { tenantAdminRoutes } from "./tenants/admin-routes";
import { usageAdminRoutes } from "./usage/backfill";
import { usageRoutes } from "./usage/route";

/** The HTTP surface: middleware and route mounting, nothing else. */
export const app = new Hono<AppEnv>();

// Browsers (web UIs) post events cross-origin; no cookies are involved, so any origin may.
app.use("/v1/events", cors({ origin: "*", allowMethods: ["POST", "OPTIONS"], maxAge: 86_400 }));
app.use("/v1/catalog", cors({ origin: "*", allowMethods: ["GET"] }));
app.use("/v1/forget", cors({ origin: "*", allowMethods: ["POST", "OPTIONS"], maxAge: 86_400 }));
// PostHog's SDKs (docs/POSTHOG.md): capture, flags and remote config, from any origin.
for (const path of posthogPaths) app.use(path, posthogCors);
// Routes that take data from clients get the request's limiter (c.var.limiter).
app.use("/v1/events", limitRequests);
app.use("/v1/usage", limitRequests);
for (const path of posthogCapturePaths) app.use(path, limitRequests);
// Teleport's reporting RPCs (prehog): the same limiter, its refusals answered in Connect's form.
for (const path of prehogPaths) app.use(path, rpcErrors, limitRequests);
// The operator API: stats, billing, tenants, dead letters, the archive and the doctor, behind ADMIN_TOKEN (failed
// attempts are counted by the limiter).
for (const operatorPath of ["/v1/stats/*", "/v1/billing/*", "/v1/admin/*"]) {
  app.use(operatorPath, limitRequests, requireAdmin);
}
app.use("/v1/forget", limitRequests);

app.route("/", homeRoutes);
app.route("/v1/catalog", catalogRoutes);
app.route("/v1/events", eventsRoutes);
app.route("/v1/usage", usageRoutes);
app.route("/v1/forget", forgetRoutes);
app.route("/v1/stats", statsRoutes);
app.route("/v1/billing", billingRoutes);
app.route("/v1/billing", billingOperationsRoutes);
app.route("/v1/admin", tenantAdminRoutes);
app.route("/v1/admin", billingAdminRoutes);
app.route("/v1/admin", contractRoutes);
app.route("/v1/admin", usageAdminRoutes);
app.route(
  "/v1/admin",
  deadLetterRoutes({
    "edgehog-events": eventsRedrive,
    "edgehog-forward": forwardRedrive,
    "edgehog-webhooks": webhookRedrive,
  }),
);
app.route("/v1/admin", archiveRoutes);
app.route("/v1/admin", doctorRoutes);
app.route("/", prehogRoutes);
app.route("/", posthogRoutes);
// The operator's pages: their own session (a cookie signed with a key derived from ADMIN_TOKEN).
app.route("/dashboard", dashboardRoutes);

app.notFound(handleNotFound);
app.onError(handleError);
