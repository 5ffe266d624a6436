/**
 * HMAC-SHA256 through `crypto.subtle`, shared by the SDK's anonymizer and the collector (whose
 * src/lib/crypto.ts takes it from here): one implementation wherever digests are made or checked.
 */

const utf8 = new TextEncoder();

/** An HMAC-SHA256 signing key made of raw bytes, or of the UTF-8 bytes of a string. */
export function hmacKey(key: Uint8Array<ArrayBuffer> | string): Promise<CryptoKey> {
  const raw = typeof key === "string" ? utf8.encode(key) : key;
  return crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
}

/** HMAC-SHA256 of the UTF-8 bytes of `message`. */
export async function hmacSha256(key: CryptoKey, message: string): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, utf8.encode(message)));
}
