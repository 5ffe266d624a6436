import { toHex } from "../lib/bytes";
import { sha256 } from "../lib/crypto";

/**
 * A uuid for a PostHog event sent without one, derived from the event's content so that an
 * SDK's retry of the same event gets the same uuid and is counted once. It is shaped like a
 * random (version 4, RFC 4122 variant) UUID: 122 bits of SHA-256 of the content.
 */
export async function derivedUuid(content: unknown): Promise<string> {
  const bytes = (await sha256(canonicalJson(content))).slice(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = toHex(bytes);
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** JSON with the keys of every object sorted: the same content gives the same text. */
export function canonicalJson(value: unknown): string {
  if (Array.isArray(value)) return `[${value.map((item) => canonicalJson(item ?? null)).join(",")}]`;
  if (value !== null && typeof value === "object") {
    const entries = Object.entries(value as Record<string, unknown>)
      .filter(([, item]) => item !== undefined)
      .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
      .map(([key, item]) => `${JSON.stringify(key)}:${canonicalJson(item)}`);
    return `{${entries.join(",")}}`;
  }
  return JSON.stringify(value) ?? "null";
}
