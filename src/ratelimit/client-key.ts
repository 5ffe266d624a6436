import { toHex } from "../lib/bytes";
import { hmacKey, hmacSha256 } from "../lib/crypto";
import { utcDay } from "../lib/time";

/**
 * The rate-limit key of a client. The IP is never stored, logged or used as an object name:
 * it is replaced by HMAC-SHA256(daySalt, ip), where daySalt = HMAC-SHA256(secret, "YYYY-MM-DD")
 * for the UTC day. The salt changes every day, so a key cannot be linked to the same client's
 * key of another day, and without the secret a key cannot be reversed by hashing all IPs.
 */
export async function clientKey(secret: string, ip: string, nowMs: number): Promise<string> {
  const salt = await daySalt(secret, utcDay(nowMs));
  return toHex(await hmacSha256(salt, ip));
}

// One derivation per isolate and day rather than one per request.
const saltCache = new Map<string, Promise<CryptoKey>>();

function daySalt(secret: string, day: string): Promise<CryptoKey> {
  const cacheKey = `${day}\u0000${secret}`;
  let salt = saltCache.get(cacheKey);
  if (!salt) {
    salt = hmacKey(secret)
      .then((key) => hmacSha256(key, day))
      .then((bytes) => hmacKey(bytes));
    // Yesterday's salt is of no further use.
    saltCache.clear();
    saltCache.set(cacheKey, salt);
  }
  return salt;
}

/**
 * What a client is, for its rate limits: its IPv4 address, or the /64 of its IPv6 address
 * (one subscriber gets a /64 or more, so a fresh address per request is not a fresh bucket).
 * IPv4-mapped IPv6 addresses count as their IPv4 address.
 */
export function clientNetwork(ip: string): string {
  if (!ip.includes(":")) return ip;
  const mapped = /^(?:0{0,4}:){0,5}:?ffff:(\d{1,3}(?:\.\d{1,3}){3})$/i.exec(ip);
  if (mapped?.[1]) return mapped[1];
  const groups = expandIpv6(ip.replace(/%.*$/, ""));
  return groups ? `${groups.slice(0, 4).join(":")}::/64` : ip;
}

/** The eight groups of an IPv6 address (lower-case, no leading zeros), or undefined. */
function expandIpv6(ip: string): string[] | undefined {
  const halves = ip.toLowerCase().split("::");
  if (halves.length > 2) return undefined;
  const [head, tail] = halves.map((half) => (half === "" ? [] : half.split(":")));
  const missing = 8 - (head?.length ?? 0) - (tail?.length ?? 0);
  if (halves.length === 2 ? missing < 1 : missing !== 0) return undefined;
  const groups = [...(head ?? []), ...Array<string>(halves.length === 2 ? missing : 0).fill("0"), ...(tail ?? [])];
  if (!groups.every((group) => /^[0-9a-f]{1,4}$/.test(group))) return undefined;
  return groups.map((group) => group.replace(/^0+(?=.)/, ""));
}

/** The address Cloudflare saw the request come from; "unknown" when absent (local tools). */
export function connectingIp(request: Request): string {
  return request.headers.get("cf-connecting-ip")?.trim() || "unknown";
}
