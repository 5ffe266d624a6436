/**
 * The few primitives of `crypto.subtle` the collector uses, each written once. HMAC-SHA256 is
 * the client SDK's (its anonymizer's), taken from its package.
 */

export { hmacKey, hmacSha256 } from "../../packages/client/src/shared/hmac";

const utf8 = new TextEncoder();

/** SHA-256 of `data`: raw bytes, or the UTF-8 bytes of a string. */
export async function sha256(data: string | Uint8Array): Promise<Uint8Array<ArrayBuffer>> {
  // Our byte arrays never view a SharedArrayBuffer, the one kind SubtleCrypto refuses.
  const bytes = (typeof data === "string" ? utf8.encode(data) : data) as Uint8Array<ArrayBuffer>;
  return new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
}

/** workerd's `timingSafeEqual`, absent from browsers and Node. */
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
