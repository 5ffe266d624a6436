import { z } from "zod";
import type { CompiledApp } from "../catalog/compile";
import type { ItemErrorCode } from "../http/error-codes";
import { refuse, type Verdict } from "../http/judge";
import { rfc3339 } from "../http/schemas";
import { describeIssue } from "../http/validation";
import { jsonStringSize, MAX_JSON_DEPTH, measureJson } from "../lib/json-size";
import { DAY_MS, parseCheckedDateTime } from "../lib/time";
import { INSTALL_ID_RULE, installId, randomUuid } from "../privacy/ids";
import { checkProperties } from "./check-properties";
import { correctTimestamp } from "./clock";
import type { IngestLimits } from "./limits";
import type { StoredEvent } from "./queue-message";

/**
 * One event, judged on its own against the catalogue: its shape, its name, the tenant it
 * needs, and each declared property by its privacy class (the checks the catalogue compiled
 * into plain functions at load, src/catalog/compile.ts). Whatever the front door, an event
 * reaches this judge as a plain object shaped like the native API's.
 *
 * The shape is checked by plain code (`plainShape`), which accepts exactly what the zod schema
 * below accepts; zod runs only on the failure path, to word the message. Every event of every
 * batch goes through here: zod without code generation (workerd forbids eval) cost about 2 µs
 * of the 5 µs an event took.
 */

const DATETIME = z.core.regexes.datetime({ offset: true });

/** One event's shape; the catalogue then judges its name and properties. */
export const eventSchema = z.object({
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
const shapeErrorCodes: Record<string, ItemErrorCode> = {
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

/** The context of a batch of `app`'s events, under the ingest limits. */
export function eventContextOf(
  app: CompiledApp,
  limits: IngestLimits,
  sender: Pick<EventContext, "receivedAt" | "sentAt" | "tenantId">,
): EventContext {
  return {
    app,
    ...sender,
    maxEventBytes: limits.MAX_EVENT_BYTES,
    maxStringLength: limits.MAX_STRING_LENGTH,
    maxAgeMs: limits.RAW_EVENT_RETENTION_DAYS * DAY_MS,
  };
}

/** An accepted event, its stored form's size bound (for packing Queue messages) and what was dropped. */
export interface AcceptedEvent {
  event: StoredEvent;
  bytes: number;
  /** A bound of the event's size as sent, when it sent only what is kept; else Infinity (it is then measured). */
  sentBytes: number;
  dropped: readonly string[];
  /** Declared properties stored reduced (an enum's `other`, a kernel release's core). */
  reduced: readonly string[];
}

type EventShape = z.output<typeof eventSchema>;

/** The braces, and each stored field's quoted name and colon (flatJsonSize's share of them). */
const STORED_FIELD_NAMES_BYTES =
  2 +
  ["uuid", "event", "distinct_id", "timestamp", "client_timestamp", "app_version", "os"].reduce(
    (n, name) => n + jsonStringSize(name) + 2,
    0,
  );

const isText = (value: unknown, max: number): value is string =>
  typeof value === "string" && value.length >= 1 && value.length <= max;

/**
 * The event's shape as zod's schema would give it, or undefined when zod must decide (and word
 * why). A fresh object of one shape: the checks after it read its fields faster than the sent
 * object's (measured).
 */
export function plainShape(raw: object): EventShape | undefined {
  const { uuid, event, distinct_id, timestamp, properties } = raw as Record<string, unknown>;
  if (!isText(uuid, 64) || !isText(event, 128) || !isText(distinct_id, 64)) return undefined;
  if (typeof timestamp !== "string" || !DATETIME.test(timestamp)) return undefined;
  if (properties === undefined) return { uuid, event, distinct_id, timestamp };
  if (properties === null || typeof properties !== "object" || Array.isArray(properties)) return undefined;
  return { uuid, event, distinct_id, timestamp, properties: properties as Record<string, unknown> };
}

/** Strings a batch has already accepted, by check: the checks are pure, so a verdict holds for the batch. */
interface BatchMemory {
  digests: Set<string>;
  installIds: Set<string>;
}

/**
 * The judge of one batch's events. A batch from one install names the same install id and the
 * same cluster and user digests in most of its events; each distinct string goes through its
 * check once per batch, and only accepted strings are remembered. The memory is the batch's
 * own: nothing carries over from one request to the next.
 */
export function batchJudge(context: EventContext): (raw: unknown) => Verdict<AcceptedEvent> {
  const memory: BatchMemory = { digests: new Set(), installIds: new Set() };
  return (raw) => judgeEvent(raw, context, memory);
}

/**
 * The size bound is judged first: an event too large or nested too deep is refused as such,
 * whatever else is wrong with it. An accepted event that sent nothing but what it keeps has its
 * bound from the checks already made; any other event is measured (`measureJson`: a cheap
 * bound, serialised only when that bound is over the cap).
 */
export function judgeEvent(
  raw: unknown,
  context: EventContext,
  memory: BatchMemory = { digests: new Set(), installIds: new Set() },
): Verdict<AcceptedEvent> {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    return refuse("invalid_event", "an event must be a JSON object");
  }
  const verdict = judgeObject(raw, context, memory);
  if (verdict.ok && verdict.value.sentBytes <= context.maxEventBytes) return verdict;
  const sentBytes = measureJson(raw, context.maxEventBytes);
  if (sentBytes === undefined)
    return refuse("invalid_event", `the event nests more than ${MAX_JSON_DEPTH} levels deep`);
  if (sentBytes > context.maxEventBytes) {
    return refuse("event_too_large", `the event is ${sentBytes} bytes; at most ${context.maxEventBytes} are allowed`);
  }
  return verdict;
}

/** An object's enumerable keys, counted without listing them. */
function keyCount(object: object): number {
  let n = 0;
  for (const _ in object) n++;
  return n;
}

function judgeObject(raw: object, context: EventContext, memory: BatchMemory): Verdict<AcceptedEvent> {
  const input = plainShape(raw) ?? eventSchema.safeParse(raw).data;
  if (input === undefined) {
    // Parsed again with the input attached, on this failure path only: it doubles zod's cost,
    // and it is needed only to word the message ("… is required").
    const issue = eventSchema.safeParse(raw, { reportInput: true }).error?.issues[0];
    const field = String(issue?.path[0] ?? "");
    return refuse(shapeErrorCodes[field] ?? "invalid_event", describeIssue(issue), field || undefined);
  }
  const uuid = randomUuid(input.uuid);
  if (!uuid) {
    return refuse(
      "invalid_uuid",
      "uuid must be a random UUID (version 4 or 7), never one that embeds a MAC address, a time or a name",
      "uuid",
    );
  }
  const distinctId = installId(input.distinct_id, memory.installIds);
  if (!distinctId) {
    return refuse("invalid_distinct_id", INSTALL_ID_RULE, "distinct_id");
  }

  const { app } = context;
  const spec = app.events.get(input.event);
  if (!spec) {
    return refuse("unknown_event", `event "${input.event}" is not in the catalogue for app "${app.name}"`, "event");
  }
  if (spec.tenantOnly && context.tenantId === null) {
    return refuse("tenant_required", `event "${input.event}" is only accepted with a tenant token`, "event");
  }

  const sentProperties = input.properties ?? {};
  const checked = checkProperties(spec, sentProperties, context.maxStringLength, memory.digests);
  if (!checked.ok) return checked;

  const clientTimestamp = parseCheckedDateTime(input.timestamp);
  const timestamp = correctTimestamp(clientTimestamp, context.receivedAt, context.sentAt);
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
    client_timestamp: clientTimestamp,
    app_version: typeof appVersionValue === "string" ? appVersionValue : "",
    os: typeof osValue === "string" ? osValue : "",
    properties: checked.kept,
  };
  // For packing Queue messages: a bound of the stored form as an object (flatJsonSize of its
  // fields and of its properties, + 16; the tuple a message carries is smaller), without
  // serialising it or copying it.
  const bytes =
    STORED_FIELD_NAMES_BYTES +
    // The uuid and the install id are random UUIDs or digests: nothing in them is escaped.
    uuid.length +
    2 +
    jsonStringSize(input.event) +
    distinctId.length +
    2 +
    jsonStringSize(event.app_version) +
    jsonStringSize(event.os) +
    2 * 24 +
    checked.keptBytes +
    16;
  // Sent as kept (the same properties, no other field): the sent form differs from the stored
  // one only by its timestamp, a string of ASCII digits and signs instead of two numbers.
  const sentAsKept = checked.kept === sentProperties && keyCount(raw) === (input.properties === undefined ? 4 : 5);
  const sentBytes = sentAsKept ? bytes + input.timestamp.length + 2 : Number.POSITIVE_INFINITY;
  return { ok: true, id: uuid, value: { event, bytes, sentBytes, dropped: checked.dropped, reduced: checked.reduced } };
}
