/**
 * An HMAC-SHA256 digest as Teleport's anonymizer writes it: standard base64 with padding of
 * the 32-byte MAC, so always 44 characters, and the last character before "=" leaves its two
 * low bits zero (canonical encoding). The shape alone is not enough: base64 of 32 bytes of
 * readable text (an email padded with spaces) has the same shape. An HMAC output is uniformly
 * random, so the decoded bytes must look random too:
 *
 * - at most 29 of the 32 bytes may be "text" (printable ASCII, NUL, tab, CR or LF): for random
 *   bytes each is text with p = 99/256, and 30 or more of 32 happen with probability 8.1e-11;
 * - at least 17 distinct byte values (random bytes have about 30; 16 or fewer happen with
 *   probability 2.2e-15): this refuses zero padding and repeated patterns.
 *
 * A genuine digest is therefore refused about once in 12 billion (docs/SECURITY.md).
 */
const DIGEST = /^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$/;

export const MAX_TEXT_BYTES = 29;
export const MIN_DISTINCT_BYTES = 17;

export function isDigest(value: unknown): value is string {
  return typeof value === "string" && value.length === 44 && DIGEST.test(value) && looksRandom(decode(value));
}

/** The test of the decoded bytes alone (exported for tests and the published threshold). */
export function looksRandom(bytes: Uint8Array): boolean {
  let text = 0;
  const seen = new Set<number>();
  for (const byte of bytes) {
    if ((byte >= 0x20 && byte <= 0x7e) || byte === 0 || byte === 9 || byte === 10 || byte === 13) text++;
    seen.add(byte);
  }
  return text <= MAX_TEXT_BYTES && seen.size >= MIN_DISTINCT_BYTES;
}

function decode(base64: string): Uint8Array {
  const native = (Uint8Array as { fromBase64?: (text: string) => Uint8Array }).fromBase64;
  if (native) return native(base64);
  const binary = atob(base64);
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}
