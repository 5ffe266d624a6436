import { z } from "zod";
import type { CompiledApp, CompiledEvent } from "../catalog/lookup";
import { findApp } from "../catalog/lookup";
import type { PropertyValue } from "../catalog/property-validators";
import { ApiError } from "../http/errors";
import { assertListWithinCap } from "../http/list-cap";
import { isDigest } from "../privacy/digest";
import { correctTimestamp } from "./clock";
import { flatJsonSize, jsonSize, jsonSizeUpperBound } from "./json-size";
import type { StoredEvent } from "./message";

const rfc3339 = z.iso.datetime({ offset: true });

/** The batch envelope. Events stay `unknown` here: each one is judged on its own below. */
const envelopeSchema = z.object({
  app: z.string().min(1).max(128),
  sent_at: rfc3339.optional(),
  events: z.array(z.unknown()).min(1, "a batch needs at least one event"),
});

/** One event's shape; the catalogue then judges its name and properties. */
const eventSchema = z.object({
  uuid: z.uuid(),
  event: z.string().min(1).max(128),
  distinct_id: z.string().min(1).max(128),
  timestamp: rfc3339,
  properties: z.record(z.string(), z.unknown()).default({}),
});

/** Field → error code for a shape problem, so clients can react without parsing messages. */
const shapeErrorCodes: Record<string, string> = {
  uuid: "invalid_uuid",
  event: "invalid_event",
  distinct_id: "invalid_distinct_id",
  timestamp: "invalid_timestamp",
  properties: "invalid_event",
};

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export interface Rejection {
  index: number;
  uuid?: string;
  error: string;
  field?: string;
  message: string;
}

export interface ValidatedBatch {
  app: string;
  events: StoredEvent[];
  /** Upper bound of each accepted event's JSON size, for packing Queue messages. */
  eventBytes: number[];
  rejected: Rejection[];
  duplicates: number;
  droppedProperties: Record<string, Record<string, number>>;
}

export interface BatchContext {
  receivedAt: number;
  /** Set when the request carried a valid tenant token. */
  tenantId: string | null;
  maxEventsPerBatch: number;
  maxEventBytes: number;
  maxStringLength: number;
}

/**
 * Judges a parsed request body: the whole batch is refused (ApiError) only when the envelope
 * is unusable; otherwise every event is accepted or rejected on its own, so one bad event
 * never costs the valid ones.
 */
export function validateBatch(body: unknown, context: BatchContext): ValidatedBatch {
  const envelope = parseEnvelope(body, context.maxEventsPerBatch);
  const app = findApp(envelope.app);
  if (!app) {
    throw new ApiError(400, "unknown_app", `app "${envelope.app}" is not in the catalogue (see GET /v1/catalog)`);
  }
  const sentAt = envelope.sent_at === undefined ? undefined : Date.parse(envelope.sent_at);

  const result: ValidatedBatch = {
    app: app.name,
    events: [],
    eventBytes: [],
    rejected: [],
    duplicates: 0,
    droppedProperties: {},
  };
  const seen = new Set<string>();
  envelope.events.forEach((raw, index) => {
    const outcome = validateEvent(raw, index, app, context, sentAt);
    if ("error" in outcome) {
      result.rejected.push(outcome);
      return;
    }
    if (seen.has(outcome.event.uuid)) {
      result.duplicates++;
      return;
    }
    seen.add(outcome.event.uuid);
    result.events.push(outcome.event);
    result.eventBytes.push(outcome.bytes);
    for (const property of outcome.dropped) countDropped(result.droppedProperties, outcome.event.event, property);
  });
  return result;
}

/** Dropped names come from the client: keep their number and length bounded. */
const MAX_DROPPED_NAMES_PER_BATCH = 64;
const PLAIN_PROPERTY_NAME = /^[A-Za-z0-9_.$:-]{1,64}$/;
export const OTHER_PROPERTY = "(other)";

function countDropped(counts: Record<string, Record<string, number>>, event: string, property: string): void {
  counts[event] ??= {};
  const perEvent = counts[event];
  let name = PLAIN_PROPERTY_NAME.test(property) ? property : OTHER_PROPERTY;
  if (!(name in perEvent)) {
    const tracked = Object.values(counts).reduce((n, names) => n + Object.keys(names).length, 0);
    if (tracked >= MAX_DROPPED_NAMES_PER_BATCH) name = OTHER_PROPERTY;
  }
  perEvent[name] = (perEvent[name] ?? 0) + 1;
}

function parseEnvelope(body: unknown, maxEvents: number): z.infer<typeof envelopeSchema> {
  assertListWithinCap(body, "events", maxEvents, "too_many_events", "events");
  const parsed = envelopeSchema.safeParse(body, { reportInput: true });
  if (!parsed.success) {
    throw new ApiError(400, "invalid_batch", describeIssue(parsed.error.issues[0]));
  }
  return parsed.data;
}

type EventOutcome = Rejection | { event: StoredEvent; bytes: number; dropped: string[] };

function validateEvent(
  raw: unknown,
  index: number,
  app: CompiledApp,
  context: BatchContext,
  sentAt: number | undefined,
): EventOutcome {
  const rawUuid = raw !== null && typeof raw === "object" && "uuid" in raw ? raw.uuid : undefined;
  const uuid = typeof rawUuid === "string" && UUID.test(rawUuid) ? rawUuid.toLowerCase() : undefined;
  const reject = (error: string, message: string, field?: string): Rejection => ({
    index,
    ...(uuid ? { uuid } : {}),
    error,
    ...(field ? { field } : {}),
    message,
  });

  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    return reject("invalid_event", "an event must be a JSON object");
  }
  // The cheap bound clears ordinary events; only a suspect one is serialised to be measured.
  if (jsonSizeUpperBound(raw, context.maxEventBytes) > context.maxEventBytes) {
    const bytes = jsonSize(raw);
    if (bytes > context.maxEventBytes) {
      return reject("event_too_large", `the event is ${bytes} bytes; at most ${context.maxEventBytes} are allowed`);
    }
  }

  const shape = eventSchema.safeParse(raw);
  if (!shape.success) {
    // Parsed again with the input attached, on this failure path only: it doubles zod's cost,
    // and it is needed only to word the message ("… is required").
    const issue = eventSchema.safeParse(raw, { reportInput: true }).error?.issues[0];
    const field = String(issue?.path[0] ?? "");
    return reject(shapeErrorCodes[field] ?? "invalid_event", describeIssue(issue), field || undefined);
  }
  const input = shape.data;
  if (!UUID.test(input.distinct_id) && !isDigest(input.distinct_id)) {
    return reject(
      "invalid_distinct_id",
      "distinct_id must be a random install id (a UUID) or an HMAC digest, never a name or an address",
      "distinct_id",
    );
  }

  const spec = app.events.get(input.event);
  if (!spec) {
    return reject("unknown_event", `event "${input.event}" is not in the catalogue for app "${app.name}"`, "event");
  }
  if (spec.tenantOnly && context.tenantId === null) {
    return reject("tenant_required", `event "${input.event}" is only accepted with a tenant token`, "event");
  }

  const checked = checkProperties(spec, input.properties, context.maxStringLength);
  if ("error" in checked) return reject(checked.error, checked.message, checked.field);

  const timestamp = correctTimestamp(Date.parse(input.timestamp), context.receivedAt, sentAt);
  const { appVersion, os } = app.dimensions;
  const appVersionValue = appVersion ? checked.kept[appVersion] : undefined;
  const osValue = os ? checked.kept[os] : undefined;
  const event: StoredEvent = {
    uuid: input.uuid.toLowerCase(),
    event: input.event,
    distinct_id: input.distinct_id,
    timestamp,
    app_version: typeof appVersionValue === "string" ? appVersionValue : "",
    os: typeof osValue === "string" ? osValue : "",
    properties: checked.kept,
  };
  // For packing Queue messages: a bound of the stored form, without serialising it.
  const { properties, ...fields } = event;
  return { event, bytes: flatJsonSize(fields) + flatJsonSize(properties) + 16, dropped: checked.dropped };
}

type PropertiesOutcome =
  | { kept: Record<string, PropertyValue>; dropped: string[] }
  | { error: string; message: string; field: string };

function checkProperties(
  spec: CompiledEvent,
  properties: Record<string, unknown>,
  maxStringLength: number,
): PropertiesOutcome {
  const kept: Record<string, PropertyValue> = {};
  for (const property of spec.properties) {
    const value = properties[property.name];
    if (value === undefined || value === null) {
      if (property.optional) continue;
      return {
        error: "missing_property",
        message: `property "${property.name}" is required for event "${spec.name}"`,
        field: `properties.${property.name}`,
      };
    }
    if (typeof value === "string" && value.length > maxStringLength) {
      return {
        error: "value_too_long",
        message: `property "${property.name}" must be at most ${maxStringLength} characters`,
        field: `properties.${property.name}`,
      };
    }
    const problem = property.check(value);
    if (problem) {
      return {
        error: problem.error,
        message: `property "${property.name}" ${problem.message}`,
        field: `properties.${property.name}`,
      };
    }
    kept[property.name] = value as PropertyValue;
  }
  const dropped = Object.keys(properties).filter((name) => !spec.known.has(name));
  return { kept, dropped };
}

function describeIssue(issue: z.core.$ZodIssue | undefined): string {
  if (!issue) return "invalid input";
  const where = issue.path.length > 0 ? issue.path.join(".") : "body";
  if (issue.code === "invalid_type" && issue.input === undefined) return `${where} is required`;
  return `${where}: ${issue.message}`;
}
