import { operatorApp } from "./admin/operator";
import { eventsRedrive } from "./aggregate/redrive";
import { archiveRoutes } from "./archive/routes";
import { contractRoutes } from "./billing/contract-routes";
import { billingOperationsRoutes } from "./billing/operations-routes";
import { billingRoutes } from "./billing/routes";
import { billingTermRoutes } from "./billing/term-routes";
import { webhookRedrive } from "./billing/webhooks/redrive";
import { catalogRoutes } from "./catalog/routes";
import { dashboardRoutes } from "./dashboard/routes";
import { deadLetterRoutes } from "./deadletters/routes";
import { doctorRoutes } from "./doctor/routes";
import { forgetRoutes } from "./forget/routes";
import { forwardRedrive } from "./forward/redrive";
import { homeRoutes } from "./home/routes";
import type { AppEnv } from "./http/context";
import { handleError, handleNotFound } from "./http/errors";
import { routesApp } from "./http/openapi";
import { guardedStorage } from "./http/storage";
import { eventsRoutes } from "./ingest/routes";
import { insightsRoutes } from "./insights/routes";
import { posthogRoutes } from "./posthog/routes";
import { prehogRoutes } from "./prehog/routes";
import { referenceRoutes } from "./reference/routes";
import { statsRoutes } from "./stats/routes";
import { tenantAdminRoutes } from "./tenants/routes";
import { usageBackfillRoutes } from "./usage/backfill-routes";
import { usageRoutes } from "./usage/routes";

/**
 * The HTTP surface: each feature's routes mounted, nothing else. Every feature declares its own
 * middleware (CORS, the limiter) and, where its answers are not the API's JSON, its own
 * `onError` (the dashboard's pages, the RPCs' Connect errors); the operator API is one group
 * (admin/operator.ts) that applies the limiter and the operator token once.
 */
export const app = routesApp<AppEnv>();

// Storage failures (D1, Queues, R2) on every route answer 503 storage_unavailable (http/storage.ts).
app.use(guardedStorage);
app.route("/", homeRoutes);
app.route("/v1/catalog", catalogRoutes);
app.route("/v1/events", eventsRoutes);
app.route("/v1/usage", usageRoutes);
app.route("/v1/forget", forgetRoutes);
app.route(
  "/v1",
  operatorApp({
    "/stats": [statsRoutes],
    "/insights": [insightsRoutes],
    "/billing": [billingRoutes, billingOperationsRoutes],
    "/admin": [
      tenantAdminRoutes,
      billingTermRoutes,
      contractRoutes,
      usageBackfillRoutes,
      deadLetterRoutes({
        "edgehog-events": eventsRedrive,
        "edgehog-forward": forwardRedrive,
        "edgehog-webhooks": webhookRedrive,
      }),
      archiveRoutes,
      doctorRoutes,
    ],
  }),
);
app.route("/", prehogRoutes);
app.route("/", posthogRoutes);
app.route("/dashboard", dashboardRoutes);
app.route("/", referenceRoutes(app));

app.notFound(handleNotFound);
app.onError(handleError);
