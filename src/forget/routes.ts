import { z } from "zod";
import { findApp } from "../catalog/compile";
import { publicCors } from "../http/cors";
import { ApiError } from "../http/errors";
import { errorResponses, jsonResponse, READ_BY_HAND, routesApp } from "../http/openapi";
import { bodyLimitsOf, readJsonBody } from "../http/read-body";
import { appName } from "../http/schemas";
import { parseOrThrow } from "../http/validation";
import { ingestLimitsOf } from "../ingest/limits";
import { eventDatabases } from "../lib/event-databases";
import { INSTALL_ID_RULE, installId } from "../privacy/ids";
import { type LimiterEnv, limitRequests } from "../ratelimit/middleware";
import { forgetInstall } from "./store";
import { archiveReachedFrom, tombstoneLifetimeMs } from "./tombstones";

/**
 * `POST /v1/forget` `{ app, distinct_id }`: deletes what the collector holds under an install
 * id: its raw rows in D1 and its per-install daily rows (anonymous aggregate counts stay),
 * schedules the archive days its events arrived on to be rewritten without it, and records a
 * tombstone so nothing more sent before the forget is stored or forwarded. The id is random:
 * knowing it is the proof of being that install. A forget is judged like an event of that
 * install: the id must be one an event could have been stored under (a random UUID, version 4
 * or 7, or a random-looking digest), and the request is charged like one event of the install
 * plus one forget of the client's and of the app's small forget allowances (docs/RATE_LIMITING.md),
 * so tombstones are not free. Browsers may ask from any origin (CORS).
 */

const forgetSchema = z.object({
  app: appName,
  distinct_id: z.string().max(128).describe("the install's random id, as its events carried it"),
});

export const forgetRoutes = routesApp<LimiterEnv>();

forgetRoutes.use(publicCors("POST"), limitRequests).post("/", async (c) => {
  const body = await readJsonBody(c.req.raw, bodyLimitsOf(c.env), c.var.limiter.chargeBody);
  const request = parseOrThrow(forgetSchema, body, "invalid_body", '{ "app": "…", "distinct_id": "<uuid>" }');
  if (!findApp(request.app)) {
    throw new ApiError("unknown_app", `app "${request.app}" is not in the catalogue`);
  }
  // The spelling events are stored under: a UUID lower-cased, a digest as sent.
  const canonical = installId(request.distinct_id);
  if (!canonical) throw new ApiError("invalid_distinct_id", INSTALL_ID_RULE);
  await c.var.limiter.admitForget({ app: request.app, distinctId: canonical });
  const now = Date.now();
  const forgotten = await forgetInstall(eventDatabases(c.env), [request.distinct_id, canonical], now, {
    rawRetentionDays: ingestLimitsOf(c.env).RAW_EVENT_RETENTION_DAYS,
    tombstoneLifetimeMs: tombstoneLifetimeMs(c.env),
    archiveReachedFrom: archiveReachedFrom(c.env, now),
  });
  return c.json({
    distinct_id: canonical,
    deleted: { events: forgotten.events, install_days: forgotten.installDays },
    // Archived objects of these days are rewritten without the install by the hourly job.
    archive: { days_to_rewrite: forgotten.archiveDays },
    complete: forgotten.complete,
  });
});

forgetRoutes.openAPIRegistry.registerPath({
  method: "post",
  path: "/",
  tags: ["events"],
  summary: "Forget an install: its rows deleted, its archive days rewritten, a tombstone kept",
  description: READ_BY_HAND,
  request: { body: { required: true, content: { "application/json": { schema: forgetSchema } } } },
  responses: {
    200: jsonResponse(
      "what was deleted; call again while `complete` is false",
      z.object({
        distinct_id: z.string(),
        deleted: z.object({ events: z.number().int(), install_days: z.number().int() }),
        archive: z.object({ days_to_rewrite: z.number().int() }),
        complete: z.boolean(),
      }),
    ),
    ...errorResponses(
      "invalid_body",
      "invalid_json",
      "invalid_encoding",
      "empty_body",
      "unknown_app",
      "invalid_distinct_id",
      "payload_too_large",
      "unsupported_media_type",
      "unsupported_encoding",
      "rate_limited",
      "storage_unavailable",
    ),
  },
});
