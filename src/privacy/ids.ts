import { isDigest } from "./digest";

/**
 * Ids that identify an install or an event must be random: a UUID of version 4 (122 random
 * bits) or 7 (a creation time in ms and 74 random bits, what PostHog's SDKs make). Versions 1
 * and 6 embed a MAC address and a time, 3 and 5 are hashes of a name, and the nil and max UUIDs
 * are not ids at all. Ids are compared lower-cased, so one id in two cases counts once.
 */
const RANDOM_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[47][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** The id lower-cased if it is a random (v4 or v7) UUID, else undefined. */
export function randomUuid(value: unknown): string | undefined {
  if (typeof value !== "string" || value.length !== 36) return undefined;
  const id = value.toLowerCase();
  if (!RANDOM_UUID.test(id)) return undefined;
  // A v4 id whose random digits take four values or fewer was not drawn at random (the odds of
  // that for random digits are below 2e-15): 00000000-0000-4000-8000-000000000000 and the like.
  if (id[14] === "4" && new Set(id.replace(/-/g, "")).size <= 4) return undefined;
  return id;
}

/** An install id: a random UUID (lower-cased) or an HMAC digest that looks random. */
export function installId(value: unknown): string | undefined {
  return randomUuid(value) ?? (isDigest(value) ? value : undefined);
}
