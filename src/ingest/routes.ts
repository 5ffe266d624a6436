import { z } from "zod";
import { publicCors } from "../http/cors";
import {
  errorResponses,
  errorSchema,
  eventRejectionSchema,
  jsonResponse,
  READ_BY_HAND,
  routesApp,
} from "../http/openapi";
import { bodyLimitsOf, readJsonBody } from "../http/read-body";
import { appName, rfc3339 } from "../http/schemas";
import { parseOrThrow } from "../http/validation";
import { type LimiterEnv, limitRequests } from "../ratelimit/middleware";
import { optionalTenant } from "../tenants/auth";
import { ingest, ingestContext } from "./core";
import { eventSchema } from "./judge-event";

/**
 * `POST /v1/events`, the native front door: decode the JSON envelope, hand its events to the
 * ingest core, answer 202 once the accepted ones are durable on the Queue (400 if none was).
 * Browsers post from any origin (CORS), and every request is charged to its client (the limiter).
 */

/** The batch envelope. Events stay `unknown` here: the core judges each one on its own. */
const envelopeSchema = z.object({
  app: appName,
  sent_at: rfc3339.optional(),
  events: z.array(z.unknown()).min(1, "a batch needs at least one event"),
});

/** What the core answers, for every door (docs/ARCHITECTURE.md, "The ingest core"). */
export const ingestResultSchema = z
  .object({
    accepted: z.number().int(),
    duplicates: z.number().int().describe("events whose uuid appeared earlier in the same batch"),
    rejected: z.array(eventRejectionSchema),
    dropped_properties: z
      .record(z.string(), z.record(z.string(), z.number()))
      .describe("undeclared properties dropped, by event then name"),
    reduced_properties: z
      .record(z.string(), z.record(z.string(), z.number()))
      .describe("declared properties stored reduced, by event then name"),
  })
  .meta({ id: "IngestResult" });

/** The errors every door that ingests events may answer for the whole request. */
export const INGEST_ERRORS = [
  "invalid_json",
  "invalid_encoding",
  "empty_body",
  "unknown_app",
  "unauthorized",
  "tenant_disabled",
  "payload_too_large",
  "too_many_events",
  "unsupported_media_type",
  "unsupported_encoding",
  "rate_limited",
  "storage_unavailable",
] as const;

export const eventsRoutes = routesApp<LimiterEnv>();

eventsRoutes.use(publicCors("POST"), limitRequests).post("/", async (c) => {
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

eventsRoutes.openAPIRegistry.registerPath({
  method: "post",
  path: "/",
  tags: ["events"],
  summary: "Send a batch of anonymized events (public; an optional tenant token attributes them)",
  description: READ_BY_HAND,
  request: {
    body: {
      required: true,
      content: {
        "application/json": {
          schema: envelopeSchema.extend({
            events: z.array(eventSchema.extend({ properties: z.record(z.string(), z.unknown()).optional() })),
          }),
        },
      },
    },
  },
  responses: {
    202: jsonResponse("some events were accepted: they are durable on the Queue", ingestResultSchema),
    ...errorResponses(...INGEST_ERRORS),
    400: jsonResponse(
      "no event was accepted (each rejection says why), or the request was refused whole",
      z.union([
        ingestResultSchema,
        errorSchema(["invalid_batch", "invalid_json", "invalid_encoding", "empty_body", "unknown_app"]),
      ]),
    ),
  },
});
