import { toHex } from "./shared/bytes.js";

/**
 * A random (version 4) UUID, lower-case, from the platform's CSPRNG. `crypto.randomUUID` would
 * do, but pages served over plain http lack it; `getRandomValues` is everywhere.
 */
export function randomUuid(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40; // version 4
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80; // RFC 4122 variant
  const hex = toHex(bytes);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

const V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Whether `value` is a lower-case random UUID, as the SDK makes them. */
export function isRandomUuid(value: unknown): value is string {
  return typeof value === "string" && V4.test(value);
}
