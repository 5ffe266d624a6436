import { Hono } from "hono";
import { z } from "zod";
import { findApp } from "../catalog/compile";
import { ApiError } from "../http/errors";
import { bodyLimitsOf, readJsonBody } from "../http/read-body";
import { parseOrThrow } from "../http/validation";
import { isDigest } from "../privacy/digest";
import type { LimiterEnv } from "../ratelimit/middleware";
import { forgetInstall } from "./store";

/**
 * `POST /v1/forget` `{ app, distinct_id }`: deletes what the collector holds under an install
 * id: its raw events and its per-install daily rows (anonymous aggregate counts stay), and
 * records a tombstone so nothing more is stored under it. The id is random: knowing it is the
 * proof of being that install. Charged to the rate limits like one event of that install.
 */

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

const forgetSchema = z.object({
  app: z.string().min(1).max(128),
  distinct_id: z
    .string()
    .max(128)
    .refine((id) => UUID.test(id) || isDigest(id), "must be the install id events were sent under (a UUID)"),
});

export const forgetRoutes = new Hono<LimiterEnv>().post("/", async (c) => {
  const body = await readJsonBody(c.req.raw, bodyLimitsOf(c.env), c.var.limiter.chargeBody);
  const request = parseOrThrow(forgetSchema, body, "invalid_body", '{ "app": "…", "distinct_id": "<uuid>" }');
  if (!findApp(request.app)) {
    throw new ApiError(400, "unknown_app", `app "${request.app}" is not in the catalogue`);
  }
  // Stored as sent so far; lower-case is the canonical spelling (the tombstone's).
  const canonical = UUID.test(request.distinct_id) ? request.distinct_id.toLowerCase() : request.distinct_id;
  await c.var.limiter.admitEvents({ app: request.app, received: 1, distinctIds: [canonical] });
  const forgotten = await forgetInstall(c.env.DB, [request.distinct_id, canonical], Date.now());
  return c.json({
    distinct_id: canonical,
    deleted: { events: forgotten.events, install_days: forgotten.installDays },
    complete: forgotten.complete,
  });
});
