import type { Context } from "hono";
import { cors } from "hono/cors";
import { z } from "zod";
import { findApp } from "../catalog/compile";
import { ApiError } from "../http/errors";
import { assertWithinCap } from "../http/list-cap";
import { errorResponses, jsonResponse, routesApp } from "../http/openapi";
import { bodyLimitsOf } from "../http/read-body";
import { ingest, ingestContext } from "../ingest/core";
import { INGEST_ERRORS, ingestResultSchema } from "../ingest/routes";
import { type LimiterEnv, limitRequests } from "../ratelimit/middleware";
import { optionalTenant } from "../tenants/auth";
import { decodeCapture } from "./decode";
import { decideAnswer, noFlags, remoteConfig, remoteConfigScript } from "./flags";
import { parseCapture } from "./payload";
import { toNativeEvent } from "./to-native";

/**
 * The PostHog-compatible front door (docs/POSTHOG.md): a stock posthog-node or posthog-js
 * pointed at edgehog delivers into the ingest core. Capture routes decode the request, map
 * each event onto the native shape, call the core, and answer `200 {"status":1}` (PostHog's
 * SDKs retry anything else), listing the core's per-event verdicts for debugging. Refusals of
 * the whole request keep their status: 400, 413, 429 and 503 (with Retry-After). Every path
 * takes requests from any origin (CORS); the capture paths are charged to their client.
 */

const withSlash = (paths: readonly string[]) => paths.flatMap((path) => [path, `${path}/`]);

/** PostHog's capture routes, with and without the trailing slash the SDKs add. */
export const posthogCapturePaths = withSlash(["/batch", "/capture", "/e", "/i/v0/e", "/track"]);
const flagPaths = withSlash(["/flags", "/decide"]);
const configPaths = ["/array/:token/config", "/array/:token/config.js"];
const corsPaths = [...posthogCapturePaths, ...flagPaths, "/array/*"];

/**
 * Browsers post from any origin, some with credentials (older posthog-js sets withCredentials):
 * the origin is mirrored, as PostHog's capture does. edgehog sets no cookie and its answers
 * carry nothing private.
 */
const posthogCors = cors({
  origin: (origin) => origin || "*",
  credentials: true,
  allowMethods: ["GET", "POST", "OPTIONS"],
  maxAge: 86_400,
});

async function capture(c: Context<LimiterEnv>): Promise<Response> {
  const tenant = await optionalTenant(c);
  const context = ingestContext(c, tenant?.id ?? null);
  const payload = await decodeCapture(c.req.raw, bodyLimitsOf(c.env), c.var.limiter.chargeBody);
  const request = parseCapture(payload, new URL(c.req.url).searchParams);
  // The core checks the count too; checking it first spares mapping an oversized batch.
  assertWithinCap(request.events, context.limits.MAX_EVENTS_PER_BATCH, "too_many_events", "events", "batch");
  const mappingContext = {
    app: request.token,
    mapping: findApp(request.token)?.posthog,
    receivedAt: context.receivedAt,
    sentAt: request.sentAt,
  };
  const events = await Promise.all(request.events.map((event) => toNativeEvent(event, mappingContext)));
  const result = await ingest({ app: request.token, events, sentAt: request.sentAt }, context);
  return c.json({ status: 1, ...result }, 200);
}

export const posthogRoutes = routesApp<LimiterEnv>();

for (const path of corsPaths) posthogRoutes.use(path, posthogCors);
for (const path of posthogCapturePaths) posthogRoutes.use(path, limitRequests);
posthogRoutes
  .on(["GET", "POST"], posthogCapturePaths, capture)
  .on(["GET", "POST"], flagPaths, (c) =>
    c.json(c.req.path.startsWith("/decide") ? decideAnswer() : noFlags(c.req.query("config") === "true")),
  )
  .on("GET", configPaths, (c) => {
    const token = c.req.param("token") ?? "";
    if (!findApp(token)) throw new ApiError("not_found", `app "${token}" is not in the catalogue`);
    c.header("Cache-Control", "public, max-age=300");
    if (c.req.path.endsWith("/config")) return c.json(remoteConfig(token));
    return c.body(remoteConfigScript(token), 200, { "Content-Type": "application/javascript; charset=utf-8" });
  });

const captureDescription =
  "PostHog's capture: a stock posthog-js or posthog-node sends its events here (docs/POSTHOG.md). The body is JSON, gzip, base64, or a form with a data field (GET: ?data=), read under the body caps and mapped onto the native event shape by the route; the project API key names the app.";
for (const path of posthogCapturePaths) {
  for (const method of ["get", "post"] as const) {
    posthogRoutes.openAPIRegistry.registerPath({
      method,
      path,
      tags: ["posthog"],
      summary: "Capture PostHog events",
      description: captureDescription,
      responses: {
        200: jsonResponse(
          "the events were read (PostHog's SDKs retry anything else): the core's verdicts follow `status`",
          ingestResultSchema.extend({ status: z.literal(1) }),
        ),
        ...errorResponses(...INGEST_ERRORS, "invalid_batch", "missing_token", "multiple_tokens"),
      },
    });
  }
}
for (const path of flagPaths) {
  for (const method of ["get", "post"] as const) {
    posthogRoutes.openAPIRegistry.registerPath({
      method,
      path,
      tags: ["posthog"],
      summary: "Feature flags: none (edgehog serves no flags), in the answer shape the SDKs expect",
      responses: { 200: jsonResponse("no flags") },
    });
  }
}
for (const path of configPaths) {
  posthogRoutes.openAPIRegistry.registerPath({
    method: "get",
    path: path.replace(":token", "{token}"),
    tags: ["posthog"],
    summary: path.endsWith(".js") ? "posthog-js's remote config script" : "posthog-js's remote config",
    request: { params: z.object({ token: z.string().describe("the project API key: an app of the catalogue") }) },
    responses: {
      200: path.endsWith(".js")
        ? { description: "the script", content: { "application/javascript": { schema: z.string() } } }
        : jsonResponse("the config"),
      ...errorResponses("not_found"),
    },
  });
}
