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

/** The address Cloudflare saw the request come from; "unknown" when absent (local tools). */
export function connectingIp(request: Request): string {
  return request.headers.get("cf-connecting-ip")?.trim() || "unknown";
}
