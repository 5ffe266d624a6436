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
export const MAX_TEXT_BYTES = 29;
export const MIN_DISTINCT_BYTES = 17;

/**
 * The check runs on every anonymized property of every event, so it is written as one pass:
 * each character is looked up in a table (its base64 value, or -1), the 32 bytes are decoded
 * into a reused buffer, and the distinct bytes are marked in a reused stamp table. It accepts
 * exactly `^[A-Za-z0-9+/]{42}[AEIMQUYcgkosw048]=$` whose bytes look random (a property test
 * holds it to that regex and a plain decode).
 */
const BASE64 = new Int8Array(128).fill(-1);
for (const [i, c] of [..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/"].entries()) {
  BASE64[c.charCodeAt(0)] = i;
}
const decoded = new Uint8Array(32);
const stamps = new Uint32Array(256);
let stamp = 0;

export function isDigest(value: unknown): value is string {
  if (typeof value !== "string" || value.length !== 44 || value.charCodeAt(43) !== 61) return false;
  let bits = 0; // the pending bits of the last characters read
  let pending = 0; // how many
  let at = 0;
  for (let i = 0; i < 43; i++) {
    const code = value.charCodeAt(i);
    const sextet = code < 128 ? (BASE64[code] as number) : -1;
    if (sextet < 0) return false;
    bits = (bits << 6) | sextet;
    pending += 6;
    if (pending >= 8) {
      pending -= 8;
      decoded[at++] = (bits >> pending) & 0xff;
    }
  }
  // The last character carries 4 bits of the final byte; its 2 low bits must be 0 (canonical).
  return (bits & 3) === 0 && looksRandom(decoded);
}

/** The test of the decoded bytes alone (exported for tests and the published threshold). */
export function looksRandom(bytes: Uint8Array): boolean {
  let text = 0;
  let distinct = 0;
  stamp = stamp === 0xffffffff ? 1 : stamp + 1;
  if (stamp === 1) stamps.fill(0);
  for (const byte of bytes) {
    if ((byte >= 0x20 && byte <= 0x7e) || byte === 0 || byte === 9 || byte === 10 || byte === 13) text++;
    if (stamps[byte] !== stamp) {
      stamps[byte] = stamp;
      distinct++;
    }
  }
  return text <= MAX_TEXT_BYTES && distinct >= MIN_DISTINCT_BYTES;
}
