import type { Context } from "hono";
import { findApp, isKnownPropertyName } from "../catalog/compile";
import { ApiError } from "../http/errors";
import { judgeEach, type Rejection } from "../http/judge";
import { assertWithinCap } from "../http/list-cap";
import { OTHER } from "../lib/other";
import type { LimiterEnv, RequestLimiter } from "../ratelimit/middleware";
import { enqueueBatch } from "./enqueue";
import { batchJudge, eventContextOf } from "./judge-event";
import { type IngestLimits, ingestLimitsOf } from "./limits";
import { rejectionCounts } from "./rejection-counts";
import { countUnknownEvents } from "./unknown-events";

/**
 * The ingest core: every front door (the native `POST /v1/events`, and any other wire format)
 * decodes its request into an `IngestBatch`, calls `ingest`, and encodes the `IngestResult`
 * the way its clients expect. The core owns everything between: the batch caps, the
 * catalogue and privacy checks (each event on its own), the rate limits, and the Queue. It
 * resolves only once the accepted events are durable; a whole-request refusal is an ApiError
 * (413 too many events, 400 unknown app, 429 rate limited, 503 queue unavailable).
 */

/** What a front door decoded: the app and its events, each still unjudged. */
export interface IngestBatch {
  app: string;
  events: readonly unknown[];
  /** When the client says it sent the batch (ms), to correct its clock. */
  sentAt?: number | undefined;
}

/** Who sent the batch and where it goes: built once per request by `ingestContext`. */
export interface IngestContext {
  receivedAt: number;
  /** Set when the request carried a valid tenant token. */
  tenantId: string | null;
  /** Two-letter country Cloudflare derived from the connection: the only thing kept of it. */
  country: string | null;
  limiter: RequestLimiter;
  queue: Queue;
  limits: IngestLimits;
  /** Work that may finish after the answer (the rejection counts of a batch with nothing accepted). */
  waitUntil(promise: Promise<unknown>): void;
}

export interface IngestResult {
  accepted: number;
  /** Events whose uuid appeared earlier in the same batch. */
  duplicates: number;
  rejected: Rejection[];
  /** Undeclared properties that were dropped, by event then name. */
  dropped_properties: Record<string, Record<string, number>>;
  /** Declared properties stored reduced rather than as sent, by event then name (never stored as counts). */
  reduced_properties: Record<string, Record<string, number>>;
}

export async function ingest(batch: IngestBatch, context: IngestContext): Promise<IngestResult> {
  const { limits } = context;
  assertWithinCap(batch.events, limits.MAX_EVENTS_PER_BATCH, "too_many_events", "events", "batch");
  const app = findApp(batch.app);
  if (!app) {
    throw new ApiError("unknown_app", `app "${batch.app}" is not in the catalogue (see GET /v1/catalog)`);
  }

  const eventContext = eventContextOf(app, limits, {
    receivedAt: context.receivedAt,
    sentAt: batch.sentAt,
    tenantId: context.tenantId,
  });
  const judged = judgeEach(batch.events, "uuid", batchJudge(eventContext));
  const events = judged.accepted.map((accepted) => accepted.event);
  const eventBytes = judged.accepted.map((accepted) => accepted.bytes);
  const droppedProperties = Object.create(null) as Record<string, Record<string, number>>;
  const reducedProperties = Object.create(null) as Record<string, Record<string, number>>;
  for (const accepted of judged.accepted) {
    for (const name of accepted.dropped) countDropped(droppedProperties, accepted.event.event, name);
    for (const name of accepted.reduced) countName(reducedProperties, accepted.event.event, name);
  }

  // Before anything is enqueued: a refused batch leaves no trace, not even its rejection counts.
  await context.limiter.admitEvents({
    app: app.name,
    received: batch.events.length,
    distinctIds: events.map((event) => event.distinct_id),
    tenantId: context.tenantId,
  });

  const queued = enqueueBatch(context.queue, {
    app: app.name,
    receivedAt: context.receivedAt,
    country: context.country,
    tenantId: context.tenantId,
    events,
    eventBytes,
    rejections: rejectionCounts(judged.rejected, batch.events, context.tenantId),
    droppedProperties,
    unknownEvents: countUnknownEvents(batch.events, judged.rejected),
  });
  if (events.length > 0) {
    await queued;
  } else {
    // Nothing to store, but the rejections still count as visible drops. Best effort: the
    // answer does not wait for it, and a lost count loses no event.
    context.waitUntil(queued.catch(() => {}));
  }
  return {
    accepted: events.length,
    duplicates: judged.duplicates,
    rejected: judged.rejected,
    dropped_properties: droppedProperties,
    reduced_properties: reducedProperties,
  };
}

/** The context of a request that went through `limitRequests`, for a front door. */
export function ingestContext(c: Context<LimiterEnv>, tenantId: string | null): IngestContext {
  return {
    receivedAt: Date.now(),
    tenantId,
    country: countryOf(c.req.raw),
    limiter: c.var.limiter,
    queue: c.env.EVENTS_QUEUE,
    limits: ingestLimitsOf(c.env),
    waitUntil: (promise) => c.executionCtx.waitUntil(promise),
  };
}

/** Only the country is kept from request.cf: never the IP, the city or the User-Agent. */
function countryOf(request: Request): string | null {
  const country = (request.cf as IncomingRequestCfProperties | undefined)?.country;
  return typeof country === "string" && /^[A-Z0-9]{2}$/.test(country) ? country : null;
}

/**
 * Undeclared property names come from the client, so they are counted, never kept as sent: a
 * name is counted under its own name only if the catalogue knows it (declared by another event
 * or app, or a PostHog SDK name a mapping reads: a property sent to the wrong event); any other
 * name, `alice_smith` as much as `10.0.0.1`, is counted as `(other)`. At most 64 names per batch;
 * the consumer caps them per app and day too. The maps have no prototype, so a name such as
 * `constructor` or `__proto__` is a name like any other.
 */
const MAX_DROPPED_NAMES_PER_BATCH = 64;

function countDropped(counts: Record<string, Record<string, number>>, event: string, property: string): void {
  let name = isKnownPropertyName(property) ? property : OTHER;
  const perEvent = counts[event];
  if (perEvent === undefined || !Object.hasOwn(perEvent, name)) {
    const tracked = Object.values(counts).reduce((n, names) => n + Object.keys(names).length, 0);
    if (tracked >= MAX_DROPPED_NAMES_PER_BATCH) name = OTHER;
  }
  countName(counts, event, name);
}

/** One more of `name` under `event`, in maps without a prototype. */
function countName(counts: Record<string, Record<string, number>>, event: string, name: string): void {
  if (!Object.hasOwn(counts, event)) counts[event] = Object.create(null) as Record<string, number>;
  const perEvent = counts[event] as Record<string, number>;
  perEvent[name] = (Object.hasOwn(perEvent, name) ? (perEvent[name] as number) : 0) + 1;
}
