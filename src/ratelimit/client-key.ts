import { utcDay } from "../pipeline/clock";

/**
 * The rate-limit key of a client. The IP is never stored, logged or used as an object name:
 * it is replaced by HMAC-SHA256(daySalt, ip), where daySalt = HMAC-SHA256(secret, "YYYY-MM-DD")
 * for the UTC day. The salt changes every day, so a key cannot be linked to the same client's
 * key of another day, and without the secret a key cannot be reversed by hashing all IPs.
 */
export async function clientKey(secret: string, ip: string, nowMs: number): Promise<string> {
  const salt = await daySalt(secret, utcDay(nowMs));
  return toHex(await hmac(salt, ip));
}

// One derivation per isolate and day rather than one per request.
const saltCache = new Map<string, Promise<CryptoKey>>();

function daySalt(secret: string, day: string): Promise<CryptoKey> {
  const cacheKey = `${day}\u0000${secret}`;
  let salt = saltCache.get(cacheKey);
  if (!salt) {
    salt = importHmacKey(new TextEncoder().encode(secret))
      .then((key) => crypto.subtle.sign("HMAC", key, new TextEncoder().encode(day)))
      .then((bytes) => importHmacKey(new Uint8Array(bytes)));
    // Yesterday's salt is of no further use.
    saltCache.clear();
    saltCache.set(cacheKey, salt);
  }
  return salt;
}

function importHmacKey(bytes: Uint8Array): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", bytes, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
}

async function hmac(key: CryptoKey, message: string): Promise<Uint8Array> {
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(message)));
}

function toHex(bytes: Uint8Array): string {
  let out = "";
  for (const byte of bytes) out += byte.toString(16).padStart(2, "0");
  return out;
}

/** The address Cloudflare saw the request come from; "unknown" when absent (local tools). */
export function connectingIp(request: Request): string {
  return request.headers.get("cf-connecting-ip")?.trim() || "unknown";
}
