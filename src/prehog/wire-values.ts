import type { Timestamp } from "@bufbuild/protobuf/wkt";
import { toBase64, toHex } from "../lib/bytes";
import { sha256 } from "../lib/crypto";

/**
 * Protobuf values in the text forms the JSON routes take, so that an RPC request reaches the
 * same judges as a JSON one: timestamps as RFC 3339, 16-byte UUIDs as 8-4-4-4-12 text, digests
 * as standard base64, and the ids this door derives (event uuids, resource ids) computed
 * deterministically from the request's content.
 */

/**
 * A Timestamp as RFC 3339 (millisecond precision, as the JSON routes store time), or undefined
 * when it is absent. One outside the representable range becomes a text the judges refuse.
 */
export function timestampText(timestamp: Timestamp | undefined): string | undefined {
  if (!timestamp) return undefined;
  const { seconds, nanos } = timestamp;
  const ms = Number(seconds) * 1000 + Math.floor(nanos / 1_000_000);
  const date = new Date(ms);
  const valid = nanos >= 0 && nanos < 1_000_000_000 && !Number.isNaN(date.getTime());
  return valid ? date.toISOString() : `${seconds}s ${nanos}ns`;
}

/** 16 bytes as a lower-case UUID; other lengths as hex, which no UUID check accepts. */
export function uuidText(bytes: Uint8Array): string {
  const hex = toHex(bytes);
  if (bytes.length !== 16) return hex;
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** Raw digest bytes as the JSON routes' form: standard base64 (44 characters for 32 bytes). */
export function digestText(bytes: Uint8Array): string {
  return toBase64(bytes);
}

/** The first 16 bytes of `hash` shaped as a version-4 UUID (RFC 9562 variant bits). */
export function uuidV4From(hash: Uint8Array): string {
  const bytes = hash.slice(0, 16);
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x40;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  return uuidText(bytes);
}

const utf8 = new TextEncoder();

/**
 * A v4-shaped UUID derived from `parts`: SHA-256 over each part, length-prefixed so that no two
 * different lists of parts hash the same input. The same parts always give the same UUID.
 */
export async function derivedUuid(...parts: (string | Uint8Array)[]): Promise<string> {
  const encoded = parts.map((part) => (typeof part === "string" ? utf8.encode(part) : part));
  const input = new Uint8Array(encoded.reduce((n, part) => n + 4 + part.length, 0));
  const view = new DataView(input.buffer);
  let offset = 0;
  for (const part of encoded) {
    view.setUint32(offset, part.length);
    input.set(part, offset + 4);
    offset += 4 + part.length;
  }
  return uuidV4From(await sha256(input));
}

const RESOURCE_ID_DOMAIN = utf8.encode("edgehog prehog.v1 resource id");

/**
 * A `fixed64` resource id (the first 8 bytes of the resource name's HMAC, read little-endian)
 * as the 32-byte digest `POST /v1/usage` takes: the id's 8 bytes, little-endian, followed by
 * the first 24 bytes of SHA-256("edgehog prehog.v1 resource id" ‖ those 8 bytes).
 *
 * Distinct ids give distinct digests (the id is the digest's first 8 bytes, so it can be read
 * back), the same id always gives the same digest (no key, no randomness: a resource reported
 * by several Auth Services or in several reports is counted once), and the whole digest is as
 * random-looking as the HMAC it came from.
 */
export async function resourceIdDigest(id: bigint): Promise<string> {
  const idBytes = new Uint8Array(8);
  new DataView(idBytes.buffer).setBigUint64(0, BigInt.asUintN(64, id), true);
  const input = new Uint8Array(RESOURCE_ID_DOMAIN.length + 8);
  input.set(RESOURCE_ID_DOMAIN);
  input.set(idBytes, RESOURCE_ID_DOMAIN.length);
  const digest = new Uint8Array(32);
  digest.set(idBytes);
  digest.set((await sha256(input)).subarray(0, 24), 8);
  return toBase64(digest);
}
