import { z } from "zod";
import type { CompiledApp, CompiledEvent } from "../catalog/compile";
import type { PropertyValue } from "../catalog/property-checks";
import { type Refusal, refuse, type Verdict } from "../http/judge";
import { describeIssue } from "../http/validation";
import { flatJsonSize, MAX_JSON_DEPTH, measureJson } from "../lib/json-size";
import { DAY_MS } from "../lib/time";
import { installId, randomUuid } from "../privacy/ids";
import { correctTimestamp } from "./clock";
import type { StoredEvent } from "./queue-message";

/**
 * One event, judged on its own against the catalogue: its shape (zod), its name, the tenant
 * it needs, and each declared property by its privacy class. Whatever the front door, an
 * event reaches this judge as a plain object shaped like the native API's.
 */

const rfc3339 = z.iso.datetime({ offset: true });

/** One event's shape; the catalogue then judges its name and properties. */
const eventSchema = z.object({
  uuid: z.string().min(1).max(64),
  event: z.string().min(1).max(128),
  distinct_id: z.string().min(1).max(64),
  timestamp: rfc3339,
  // Kept as sent (not copied): every own key, `__proto__` included, is judged or counted.
  properties: z
    .custom<Record<string, unknown>>((v) => v !== null && typeof v === "object" && !Array.isArray(v), {
      message: "must be an object of properties",
    })
    .optional(),
});

/** Field → error code for a shape problem, so clients can react without parsing messages. */
const shapeErrorCodes: Record<string, string> = {
  uuid: "invalid_uuid",
  event: "invalid_event",
  distinct_id: "invalid_distinct_id",
  timestamp: "invalid_timestamp",
  properties: "invalid_event",
};

/** What the judge needs besides the event: who sent it, when, and the caps. */
export interface EventContext {
  app: CompiledApp;
  receivedAt: number;
  /** When the client says it sent the batch, to correct its clock. */
  sentAt: number | undefined;
  /** Events older than this (after clock correction) are refused: the raw retention period. */
  maxAgeMs: number;
  /** Set when the request carried a valid tenant token. */
  tenantId: string | null;
  maxEventBytes: number;
  maxStringLength: number;
}

/** An accepted event, its stored form's size bound (for packing Queue messages) and what was dropped. */
export interface AcceptedEvent {
  event: StoredEvent;
  bytes: number;
  dropped: string[];
}

export function judgeEvent(raw: unknown, context: EventContext): Verdict<AcceptedEvent> {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    return refuse("invalid_event", "an event must be a JSON object");
  }
  // The cheap bound clears ordinary events; only a suspect one is serialised to be measured.
  const sentBytes = measureJson(raw, context.maxEventBytes);
  if (sentBytes === undefined)
    return refuse("invalid_event", `the event nests more than ${MAX_JSON_DEPTH} levels deep`);
  if (sentBytes > context.maxEventBytes) {
    return refuse("event_too_large", `the event is ${sentBytes} bytes; at most ${context.maxEventBytes} are allowed`);
  }

  const shape = eventSchema.safeParse(raw);
  if (!shape.success) {
    // Parsed again with the input attached, on this failure path only: it doubles zod's cost,
    // and it is needed only to word the message ("… is required").
    const issue = eventSchema.safeParse(raw, { reportInput: true }).error?.issues[0];
    const field = String(issue?.path[0] ?? "");
    return refuse(shapeErrorCodes[field] ?? "invalid_event", describeIssue(issue), field || undefined);
  }
  const input = shape.data;
  const uuid = randomUuid(input.uuid);
  if (!uuid) {
    return refuse(
      "invalid_uuid",
      "uuid must be a random UUID (version 4 or 7), never one that embeds a MAC address, a time or a name",
      "uuid",
    );
  }
  const distinctId = installId(input.distinct_id);
  if (!distinctId) {
    return refuse(
      "invalid_distinct_id",
      "distinct_id must be a random install id (a version 4 or 7 UUID) or an HMAC digest, never a name or an address",
      "distinct_id",
    );
  }

  const { app } = context;
  const spec = app.events.get(input.event);
  if (!spec) {
    return refuse("unknown_event", `event "${input.event}" is not in the catalogue for app "${app.name}"`, "event");
  }
  if (spec.tenantOnly && context.tenantId === null) {
    return refuse("tenant_required", `event "${input.event}" is only accepted with a tenant token`, "event");
  }

  const checked = checkProperties(spec, input.properties ?? {}, context.maxStringLength);
  if (!checked.ok) return checked;

  const timestamp = correctTimestamp(Date.parse(input.timestamp), context.receivedAt, context.sentAt);
  if (context.receivedAt - timestamp > context.maxAgeMs) {
    return refuse(
      "too_old",
      `the event is older than the ${Math.round(context.maxAgeMs / DAY_MS)} days the collector keeps; it is not counted`,
      "timestamp",
    );
  }
  const { appVersion, os } = app.dimensions;
  const appVersionValue = appVersion ? checked.kept[appVersion] : undefined;
  const osValue = os ? checked.kept[os] : undefined;
  const event: StoredEvent = {
    uuid,
    event: input.event,
    distinct_id: distinctId,
    timestamp,
    app_version: typeof appVersionValue === "string" ? appVersionValue : "",
    os: typeof osValue === "string" ? osValue : "",
    properties: checked.kept,
  };
  // For packing Queue messages: a bound of the stored form, without serialising it.
  const { properties, ...fields } = event;
  const bytes = flatJsonSize(fields) + flatJsonSize(properties) + 16;
  return { ok: true, id: uuid, value: { event, bytes, dropped: checked.dropped } };
}

function checkProperties(
  spec: CompiledEvent,
  properties: Record<string, unknown>,
  maxStringLength: number,
): { ok: true; kept: Record<string, PropertyValue>; dropped: string[] } | Refusal {
  const kept: Record<string, PropertyValue> = {};
  for (const property of spec.properties) {
    const value = properties[property.name];
    const field = `properties.${property.name}`;
    if (value === undefined || value === null) {
      if (property.optional) continue;
      return refuse("missing_property", `property "${property.name}" is required for event "${spec.name}"`, field);
    }
    if (typeof value === "string" && value.length > maxStringLength) {
      return refuse(
        "value_too_long",
        `property "${property.name}" must be at most ${maxStringLength} characters`,
        field,
      );
    }
    const problem = property.check(value);
    if (problem) return refuse(problem.error, `property "${property.name}" ${problem.message}`, field);
    kept[property.name] = value as PropertyValue;
  }
  const dropped = Object.keys(properties).filter((name) => !spec.known.has(name));
  return { ok: true, kept, dropped };
}
