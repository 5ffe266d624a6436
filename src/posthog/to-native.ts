import type { CompiledPosthogMapping } from "../catalog/compile";
import type { SdkPropertyMapping } from "../catalog/types";
import { derivedUuid } from "./derived-uuid";

/**
 * One PostHog event onto the native event shape the ingest core judges
 * (`{ uuid, event, distinct_id, timestamp, properties }`); the core then applies every check.
 * This only moves fields: `$`-prefixed SDK properties are dropped unless the catalogue maps
 * them, person properties (`$set`, `$set_once`) fill the app's common properties, a missing
 * uuid is derived from the content, and `offset` / a missing timestamp become a timestamp.
 */

export interface MappingContext {
  /** The project key: the app the events are for. */
  app: string;
  /** The app's mapping; undefined for an app the catalogue does not know (the core refuses it). */
  mapping: CompiledPosthogMapping | undefined;
  receivedAt: number;
  /** When the client sent the batch, if it said so. */
  sentAt: number | undefined;
}

/** Where posthog-js repeats the request's fields inside properties: never event properties. */
const ENVELOPE_PROPERTIES = new Set(["token", "distinct_id"]);
const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/i;

export async function toNativeEvent(raw: unknown, context: MappingContext): Promise<unknown> {
  const event = record(raw);
  if (!event) return raw; // the core refuses it as it is
  const properties = record(event.properties) ?? {};
  return {
    uuid: await uuidOf(event, context),
    event: event.event,
    distinct_id: distinctIdOf(event, properties),
    timestamp: timestampOf(event, context),
    properties: mapProperties(event, properties, context.mapping),
  };
}

function record(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

function absent(value: unknown): value is undefined | null | "" {
  return value === undefined || value === null || value === "";
}

/** UUIDs lower-cased (posthog-js sends UUIDv7s; the core keeps ids lower-case); anything else as sent. */
function normalizedId(value: string): string {
  return UUID.test(value) ? value.toLowerCase() : value;
}

/**
 * The event's uuid, or one derived from everything it carries except `offset` (which a retry
 * recomputes). Without a timestamp its time counts only as `sent_at − offset`, stable across
 * retries; an event with neither is identified by its content alone.
 */
async function uuidOf(event: Record<string, unknown>, context: MappingContext): Promise<unknown> {
  if (typeof event.uuid === "string" && event.uuid !== "") return normalizedId(event.uuid);
  if (!absent(event.uuid)) return event.uuid; // not a string: the core refuses it
  const { offset, ...content } = event;
  const sentTime =
    absent(event.timestamp) && typeof offset === "number" && context.sentAt !== undefined
      ? context.sentAt - offset
      : undefined;
  try {
    return await derivedUuid({ app: context.app, event: content, sentTime });
  } catch {
    return undefined; // content too deep to serialise: the core refuses the event
  }
}

function distinctIdOf(event: Record<string, unknown>, properties: Record<string, unknown>): unknown {
  const value = [event.distinct_id, event.$distinct_id, properties.distinct_id, properties.$distinct_id].find(
    (candidate) => !absent(candidate),
  );
  if (typeof value === "string") return normalizedId(value);
  if (typeof value === "number" || typeof value === "boolean") return String(value);
  return value;
}

/**
 * PostHog's rules: the timestamp as sent; else `offset` ms before the send; else the send
 * itself. A time the client gave is in its clock, which the core corrects with `sent_at`.
 */
function timestampOf(event: Record<string, unknown>, context: MappingContext): unknown {
  const { timestamp, offset } = event;
  if (typeof timestamp === "number") return isoOf(timestamp) ?? timestamp;
  if (!absent(timestamp)) return timestamp;
  const sent = context.sentAt ?? context.receivedAt;
  return isoOf(sent - (typeof offset === "number" ? offset : 0)) ?? offset;
}

function isoOf(ms: number): string | undefined {
  const date = new Date(ms);
  return Number.isNaN(date.getTime()) ? undefined : date.toISOString();
}

/**
 * The app's own properties as sent (the core keeps the declared ones and counts the rest),
 * then, for each common property the event does not carry: `$set`, `$set_once`, then the
 * mapped `$` properties. Every other `$` property is dropped here and never reaches storage.
 */
function mapProperties(
  event: Record<string, unknown>,
  properties: Record<string, unknown>,
  mapping: CompiledPosthogMapping | undefined,
): Record<string, unknown> {
  // No prototype: an own key such as `__proto__` stays a key, which the core counts as dropped.
  const mapped = Object.create(null) as Record<string, unknown>;
  for (const [name, value] of Object.entries(properties)) {
    if (name.startsWith("$") || ENVELOPE_PROPERTIES.has(name)) continue;
    mapped[name] = value;
  }
  if (!mapping) return mapped;

  const fill = (value: unknown, to: SdkPropertyMapping | undefined) => {
    if (!to || Object.hasOwn(mapped, to.to)) return;
    const translated = translate(value, to);
    if (translated !== undefined) mapped[to.to] = translated;
  };
  for (const people of [event.$set, properties.$set, event.$set_once, properties.$set_once]) {
    for (const [name, value] of Object.entries(record(people) ?? {})) fill(value, mapping.personProperties.get(name));
  }
  for (const [name, to] of mapping.properties) {
    if (Object.hasOwn(properties, name)) fill(properties[name], to);
  }
  return mapped;
}

/** An SDK value as the catalogue property wants it; undefined (dropped) when it has no mapping. */
function translate(value: unknown, mapping: SdkPropertyMapping): unknown {
  if (absent(value)) return undefined;
  if (!mapping.values) return value;
  return typeof value === "string" && Object.hasOwn(mapping.values, value) ? mapping.values[value] : undefined;
}
