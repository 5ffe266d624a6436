/** The few primitives of `crypto.subtle` the collector uses, each written once. */

const utf8 = new TextEncoder();

/** SHA-256 of `data`: raw bytes, or the UTF-8 bytes of a string. */
export async function sha256(data: string | Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  // Our byte arrays never view a SharedArrayBuffer, the one kind SubtleCrypto refuses.
  const bytes = (typeof data === "string" ? utf8.encode(data) : data) as Uint8Array<ArrayBuffer>;
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
}

/** An HMAC-SHA256 signing key made of raw bytes, or of the UTF-8 bytes of a string. */
export function hmacKey(key: Uint8Array<ArrayBuffer> | string): Promise<CryptoKey> {
  const raw = typeof key === "string" ? utf8.encode(key) : key;
  return crypto.subtle.importKey("raw", raw, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
}

/** HMAC-SHA256 of the UTF-8 bytes of `message`. */
export async function hmacSha256(key: CryptoKey, message: string): Promise<Uint8Array<ArrayBuffer>> {
  return new Uint8Array(await crypto.subtle.sign("HMAC", key, utf8.encode(message)));
}

/** workerd's `timingSafeEqual`, absent from browsers and Node, where the client SDK imports this module. */
type WorkerdSubtle = SubtleCrypto & { timingSafeEqual(a: ArrayBufferView, b: ArrayBufferView): boolean };

/**
 * Compares two secrets (or hashes of secrets) without leaking, through timing, how much of
 * them matched. Both are hashed first, so the comparison always runs over 32 bytes whatever
 * their lengths.
 */
export async function constantTimeEqual(given: string, expected: string): Promise<boolean> {
  const [a, b] = await Promise.all([sha256(given), sha256(expected)]);
  return (crypto.subtle as WorkerdSubtle).timingSafeEqual(a, b);
}
