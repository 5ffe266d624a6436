import { Hono } from "hono";
import { limitsOf } from "../config";
import type { AppEnv } from "../env";
import { readJsonBody } from "../http/read-body";
import { type AcceptedBatch, enqueueBatch } from "../pipeline/enqueue";
import { validateBatch } from "../pipeline/validate-batch";
import { beginPublicEvents } from "../ratelimit/guards";
import { optionalTenant } from "../tenants/require-tenant";

/**
 * `POST /v1/events`: a batch of events from one app. Every event is judged on its own; the
 * answer is 202 once the accepted ones are durable on the Queue (400 if none was accepted).
 */
export const eventsRoutes = new Hono<AppEnv>().post("/", async (c) => {
  const limits = limitsOf(c.env);
  const receivedAt = Date.now();
  const rateLimit = await beginPublicEvents(c);
  // The token is checked before the body is read: a bad token costs no decompression.
  const tenantId = (await optionalTenant(c))?.id ?? null;
  const body = await readJsonBody(c.req.raw, limits);
  const batch = validateBatch(body, {
    receivedAt,
    tenantId,
    maxEventsPerBatch: limits.maxEventsPerBatch,
    maxEventBytes: limits.maxEventBytes,
    maxStringLength: limits.maxStringLength,
  });

  // Before anything is enqueued: a refused batch leaves no trace, not even its rejection counts.
  await rateLimit.admit({
    app: batch.app,
    received: batch.events.length + batch.rejected.length + batch.duplicates,
    distinctIds: batch.events.map((event) => event.distinct_id),
    tenantId,
  });

  const rejections: Record<string, number> = {};
  for (const rejection of batch.rejected) rejections[rejection.error] = (rejections[rejection.error] ?? 0) + 1;
  const accepted: AcceptedBatch = {
    app: batch.app,
    receivedAt,
    // Only the country is kept from request.cf: never the IP, the city or the User-Agent.
    country: countryOf(c.req.raw),
    tenantId,
    events: batch.events,
    eventBytes: batch.eventBytes,
    rejections,
    droppedProperties: batch.droppedProperties,
  };

  const result = {
    accepted: batch.events.length,
    duplicates: batch.duplicates,
    rejected: batch.rejected,
    dropped_properties: batch.droppedProperties,
  };
  if (batch.events.length === 0) {
    // Nothing to store, but the rejections still count as visible drops. Best effort: the
    // answer does not wait for it, and a lost count loses no event.
    c.executionCtx.waitUntil(enqueueBatch(c.env.EVENTS_QUEUE, accepted).catch(() => {}));
    return c.json(result, 400);
  }
  await enqueueBatch(c.env.EVENTS_QUEUE, accepted);
  return c.json(result, 202);
});

/** The two-letter country Cloudflare derived from the connection, if any. */
function countryOf(request: Request): string | null {
  const country = (request.cf as IncomingRequestCfProperties | undefined)?.country;
  return typeof country === "string" && /^[A-Z0-9]{2}$/.test(country) ? country : null;
}
