import { Hono } from "hono";
import { z } from "zod";
import { bodyLimitsOf, readJsonBody } from "../http/read-body";
import { parseOrThrow } from "../http/validation";
import type { LimiterEnv } from "../ratelimit/middleware";
import { optionalTenant } from "../tenants/auth";
import { ingest, ingestContext } from "./core";

/**
 * `POST /v1/events`, the native front door: decode the JSON envelope, hand its events to the
 * ingest core, answer 202 once the accepted ones are durable on the Queue (400 if none was).
 */

/** The batch envelope. Events stay `unknown` here: the core judges each one on its own. */
const envelopeSchema = z.object({
  app: z.string().min(1).max(128),
  sent_at: z.iso.datetime({ offset: true }).optional(),
  events: z.array(z.unknown()).min(1, "a batch needs at least one event"),
});

export const eventsRoutes = new Hono<LimiterEnv>().post("/", async (c) => {
  // The token is checked before the body is read: a bad token costs no decompression.
  const tenant = await optionalTenant(c);
  const context = ingestContext(c, tenant?.id ?? null);
  const body = await readJsonBody(c.req.raw, bodyLimitsOf(c.env), c.var.limiter.chargeBody);
  const envelope = parseOrThrow(envelopeSchema, body, "invalid_batch");
  const result = await ingest(
    {
      app: envelope.app,
      events: envelope.events,
      sentAt: envelope.sent_at === undefined ? undefined : Date.parse(envelope.sent_at),
    },
    context,
  );
  return c.json(result, result.accepted > 0 ? 202 : 400);
});
