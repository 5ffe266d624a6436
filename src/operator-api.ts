import { operatorApp } from "./admin/operator";
import { eventsRedrive } from "./aggregate/redrive";
import { archiveRoutes } from "./archive/routes";
import { contractRoutes } from "./billing/contract-routes";
import { billingOperationsRoutes } from "./billing/operations-routes";
import { billingRoutes } from "./billing/routes";
import { billingTermRoutes } from "./billing/term-routes";
import { webhookRedrive } from "./billing/webhooks/redrive";
import { deadLetterRoutes } from "./deadletters/routes";
import { doctorRoutes } from "./doctor/routes";
import { forwardRedrive } from "./forward/redrive";
import { insightsRoutes } from "./insights/routes";
import { statsRoutes } from "./stats/routes";
import { tenantAdminRoutes } from "./tenants/routes";
import { usageBackfillRoutes } from "./usage/backfill-routes";

/**
 * The operator API, `/v1/stats`, `/v1/insights`, `/v1/billing` and `/v1/admin`: every operator
 * feature mounted into the operator group (admin/operator.ts: the limiter, the operator token,
 * no-store). A part of its own (http/parts.ts): the app loads this module on the first operator
 * request, so a cold isolate answering events compiles none of it.
 */
export const operatorApi = operatorApp({
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
});
