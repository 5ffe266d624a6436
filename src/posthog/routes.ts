import { type Context, Hono } from "hono";
import { cors } from "hono/cors";
import { findApp } from "../catalog/compile";
import { ApiError } from "../http/errors";
import { assertWithinCap } from "../http/list-cap";
import { bodyLimitsOf } from "../http/read-body";
import { ingest, ingestContext } from "../ingest/core";
import type { LimiterEnv } from "../ratelimit/middleware";
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
 * the whole request keep their status: 400, 413, 429 and 503 (with Retry-After).
 */

const withSlash = (paths: readonly string[]) => paths.flatMap((path) => [path, `${path}/`]);

/** PostHog's capture routes, with and without the trailing slash the SDKs add. */
export const posthogCapturePaths = withSlash(["/batch", "/capture", "/e", "/i/v0/e", "/track"]);
const flagPaths = withSlash(["/flags", "/decide"]);
/** Every path this front door serves (for CORS). */
export const posthogPaths = [...posthogCapturePaths, ...flagPaths, "/array/*"];

/**
 * Browsers post from any origin, some with credentials (older posthog-js sets withCredentials):
 * the origin is mirrored, as PostHog's capture does. edgehog sets no cookie and its answers
 * carry nothing private.
 */
export const posthogCors = cors({
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

export const posthogRoutes = new Hono<LimiterEnv>()
  .on(["GET", "POST"], posthogCapturePaths, capture)
  .on(["GET", "POST"], flagPaths, (c) =>
    c.json(c.req.path.startsWith("/decide") ? decideAnswer() : noFlags(c.req.query("config") === "true")),
  )
  .get("/array/:token/:file{config(\\.js)?}", (c) => {
    const token = c.req.param("token");
    if (!findApp(token)) throw new ApiError(404, "unknown_app", `app "${token}" is not in the catalogue`);
    c.header("Cache-Control", "public, max-age=300");
    if (c.req.param("file") === "config") return c.json(remoteConfig(token));
    return c.body(remoteConfigScript(token), 200, { "Content-Type": "application/javascript; charset=utf-8" });
  });
