import type { OpenAPIHono } from "@hono/zod-openapi";
import { OPERATOR_PREFIXES } from "./admin/operator";
import { catalogRoutes } from "./catalog/routes";
import { forgetRoutes } from "./forget/routes";
import { homeRoutes } from "./home/routes";
import type { AppEnv } from "./http/context";
import { handleError, handleNotFound } from "./http/errors";
import { routesApp } from "./http/openapi";
import { mountParts, part } from "./http/parts";
import { guardedStorage } from "./http/storage";
import { eventsRoutes } from "./ingest/routes";
import { posthogRoutes } from "./posthog/routes";
import { usageRoutes } from "./usage/routes";

/**
 * The HTTP surface: each feature's routes mounted, nothing else. Every feature declares its own
 * middleware (CORS, the limiter) and, where its answers are not the API's JSON, its own
 * `onError` (the dashboard's pages, the RPCs' Connect errors); the operator API is one group
 * (admin/operator.ts) that applies the limiter and the operator token once.
 *
 * The doors events and reports come in by (the native one, PostHog's, usage reports, forgets)
 * are in the modules a cold start loads. The parts are loaded on first use, each an app in ES
 * modules of its own (http/parts.ts): a cold isolate answering events compiles none of them.
 */

/**
 * The prehog services' full names, the first segment of their RPC paths: what is handed to the
 * prehog door without loading it. Static paths keep every route one Hono's RegExpRouter takes
 * (a pattern for them made it fall back to the slower TrieRouter for every request); a test
 * holds the list to the services the door serves (prehog/routes.ts).
 */
export const PREHOG_SERVICE_NAMES = [
  "prehog.v1alpha.ConnectReportingService",
  "prehog.v1alpha.TbotReportingService",
  "prehog.v1alpha.TeleportReportingService",
  "prehog.v1.TeleportReportingService",
] as const;

const PARTS = [
  // Teleport's reporting RPCs (protobuf and Connect): /prehog.<package>.<Service>/<Method>.
  part(
    "/",
    PREHOG_SERVICE_NAMES.map((name) => `/${name}/*`),
    async () => (await import("./prehog/routes")).prehogRoutes,
  ),
  part(
    "/v1",
    OPERATOR_PREFIXES.map((prefix) => `/v1${prefix}/*`),
    async () => (await import("./operator-api")).operatorApi,
  ),
  part("/dashboard", ["/dashboard/*"], async () => (await import("./dashboard/routes")).dashboardRoutes),
  part("/", ["/openapi.json", "/docs"], async () => (await import("./reference/routes")).referenceRoutes(wholeApp)),
];

export const app = routesApp<AppEnv>();

// Storage failures (D1, Queues, R2) on every route answer 503 storage_unavailable (http/storage.ts).
app.use(guardedStorage);
app.route("/", homeRoutes);
app.route("/v1/catalog", catalogRoutes);
app.route("/v1/events", eventsRoutes);
app.route("/v1/usage", usageRoutes);
app.route("/v1/forget", forgetRoutes);
app.route("/", posthogRoutes);
mountParts(app, PARTS);

app.notFound(handleNotFound);
app.onError(handleError);

let whole: Promise<OpenAPIHono<AppEnv>> | undefined;

/**
 * Every route, every part loaded: what `GET /openapi.json` and `/docs` describe, and what the
 * tests enumerate. Requests are served by `app`, which hands a part's paths to the part's app.
 */
export function wholeApp(): Promise<OpenAPIHono<AppEnv>> {
  whole ??= (async () => {
    const all = routesApp<AppEnv>();
    all.route("/", app);
    for (const { app: partApp } of PARTS) all.route("/", await partApp());
    return all;
  })();
  return whole;
}
