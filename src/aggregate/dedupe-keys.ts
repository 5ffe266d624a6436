import type { StoredEvent } from "../ingest/queue-message";
import { uuidBytes } from "../lib/bytes";
import { murmur3 } from "../lib/hash";
import { DAY_MS } from "../lib/time";

/**
 * What the dedupe index keys an event by: its uuid (in UUID form) and its dedupe time. Both are
 * derived from what the event carries, so a resend of it meets the same key whichever delivery
 * brings it; plan.ts computes them for every event, the doctor for its test event.
 */

const scratch = new Uint8Array(16);
/** Whether a string is a UUID in its 36-character form (hex digits of either case). */
const isUuidForm = (uuid: string) => uuidBytes(uuid, scratch) !== undefined;

/**
 * The uuid the dedupe index keys an event by: the event's own (the judge lets only random
 * UUIDs through); a message from an earlier version may carry another string, which is
 * hashed into UUID form so that it is deduplicated all the same.
 */
export function dedupeUuid(uuid: string): string {
  if (isUuidForm(uuid)) return uuid;
  const hex = [1, 2, 3, 4].map((seed) => murmur3(uuid, seed).toString(16).padStart(8, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/**
 * The dedupe time of an event, in whole seconds (4 bytes in the index where milliseconds take
 * 6), kept within a day of the window so the retention job finds it. For a version 7 uuid
 * (PostHog's SDKs make them) it is the time written in the uuid itself, so any resend of that
 * uuid finds its key whatever timestamp it carries; for other uuids it is the timestamp as the
 * client sent it, which a retry of the same request repeats. What may count twice: a uuid that
 * is not v7 sent again with another timestamp, and an event whose time lies outside the window
 * (its key then depends on when the batch arrived) (docs/SCALING.md).
 */
export function dedupeTime(event: StoredEvent, receivedAt: number, windowMs: number): number {
  const sent = uuidV7Time(event.uuid) ?? event.client_timestamp ?? event.timestamp;
  return Math.floor(Math.min(Math.max(sent, receivedAt - windowMs - DAY_MS), receivedAt + DAY_MS) / 1000);
}

/** The milliseconds since the epoch a version 7 uuid starts with (its first 48 bits), or undefined. */
export function uuidV7Time(uuid: string): number | undefined {
  if (uuid.length !== 36 || uuid[14] !== "7" || !isUuidForm(uuid)) return undefined;
  return Number.parseInt(uuid.slice(0, 8) + uuid.slice(9, 13), 16);
}
