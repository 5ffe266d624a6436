import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import type { AppEnv } from "../http/context";
import { jsonResponse, routesApp } from "../http/openapi";

/**
 * `GET /` says what this is and where to look; `GET /healthz` is liveness. Neither touches a
 * binding, so both stay cheap to poll.
 */
export const homeRoutes = routesApp<AppEnv>()
  .openapi(
    createRoute({
      method: "get",
      path: "/",
      tags: ["home"],
      summary: "What this is, and its endpoints",
      responses: { 200: jsonResponse("the collector's name, endpoints and where its docs are") },
    }),
    (c) =>
      c.json(
        {
          name: "edgehog",
          description:
            "A privacy-first product-metrics collector: anonymized usage events from client apps, usage reports from tenants' servers",
          endpoints: {
            catalog: "GET /v1/catalog (what is collected, and each property's privacy class)",
            events: "POST /v1/events (public, batched, anonymized events)",
            posthog: "POST /batch, /e, /i/v0/e, /capture, /track (PostHog's SDKs, project key = app; docs/POSTHOG.md)",
            usage: "POST /v1/usage (tenant token: usage reports for billing)",
            prehog: "POST /prehog.v1alpha.…/…, /prehog.v1.…/… (Teleport's reporting RPCs, Connect and gRPC-Web)",
            forget: "POST /v1/forget (an install's data deleted, by its random id)",
            stats: "GET /v1/stats/events, /v1/stats/breakdown, /v1/stats/health (operator token)",
            billing: "GET /v1/billing/usage, GET /v1/billing/usage/detail (operator token)",
            tenants: "GET|POST /v1/admin/tenants (operator token)",
            doctor: "GET /v1/admin/doctor (operator token: bindings, migrations and secrets checked; npm run doctor)",
            dashboard: "GET /dashboard (the operator's pages: sign in with the operator token)",
            health: "GET /healthz",
            openapi: "GET /openapi.json (this API, OpenAPI 3.1), GET /docs (the same, as a page)",
          },
          docs: "README.md and docs/ in the source (docs/ARCHITECTURE.md: the design and its invariants)",
        },
        200,
      ),
  )
  .openapi(
    createRoute({
      method: "get",
      path: "/healthz",
      tags: ["home"],
      summary: "Liveness",
      responses: { 200: jsonResponse("alive", z.object({ ok: z.literal(true) })) },
    }),
    (c) => c.json({ ok: true as const }, 200),
  );
