import { isDigest } from "./digest";

/**
 * Ids that identify an install or an event must be random: a UUID of version 4 (122 random
 * bits) or 7 (a creation time in ms and 74 random bits, what PostHog's SDKs make). Versions 1
 * and 6 embed a MAC address and a time, 3 and 5 are hashes of a name, and the nil and max UUIDs
 * are not ids at all. Ids are compared lower-cased, so one id in two cases counts once.
 *
 * Checked on every event (its uuid and its install id), so written as one pass over the 36
 * characters rather than a lower-casing, a regex and a set: hex digits with dashes at 8, 13,
 * 18 and 23, version 4 or 7 at 14, variant 8, 9, a or b at 19; for version 4, more than four
 * distinct digits. Equivalent to `^[0-9a-f]{8}-[0-9a-f]{4}-[47][0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$`
 * on the lower-cased id (a property test holds it to that).
 */
const HEX = new Int8Array(128).fill(-1);
for (const [i, c] of [..."0123456789abcdef"].entries()) {
  HEX[c.charCodeAt(0)] = i;
  HEX[c.toUpperCase().charCodeAt(0)] = i;
}

/** The id lower-cased if it is a random (v4 or v7) UUID, else undefined. */
export function randomUuid(value: unknown): string | undefined {
  if (typeof value !== "string" || value.length !== 36) return undefined;
  let digits = 0; // one bit per hex digit value seen
  let upper = false;
  for (let i = 0; i < 36; i++) {
    const code = value.charCodeAt(i);
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (code !== 45) return undefined;
      continue;
    }
    const digit = code < 128 ? (HEX[code] as number) : -1;
    if (digit < 0) return undefined;
    if (code >= 65 && code <= 70) upper = true;
    digits |= 1 << digit;
  }
  const version = HEX[value.charCodeAt(14)] as number;
  const variant = HEX[value.charCodeAt(19)] as number;
  if ((version !== 4 && version !== 7) || variant < 8 || variant > 11) return undefined;
  // A v4 id whose random digits take four values or fewer was not drawn at random (the odds of
  // that for random digits are below 2e-15): 00000000-0000-4000-8000-000000000000 and the like.
  if (version === 4 && bitCount(digits) <= 4) return undefined;
  return upper ? value.toLowerCase() : value;
}

function bitCount(bits: number): number {
  let n = 0;
  for (let b = bits; b !== 0; b &= b - 1) n++;
  return n;
}

/**
 * An install id: a random UUID (lower-cased) or an HMAC digest that looks random. `known`
 * holds ids already accepted as sent (a batch's memory, see batchJudge); an id accepted here
 * as sent is added to it.
 */
export function installId(value: unknown, known?: Set<string>): string | undefined {
  if (typeof value !== "string") return undefined;
  if (known?.has(value)) return value;
  const id = randomUuid(value) ?? (isDigest(value) ? value : undefined);
  if (id === value) known?.add(value);
  return id;
}

/** What an install id must be, as the refusal of one that is not says it. */
export const INSTALL_ID_RULE =
  "distinct_id must be a random install id (a version 4 or 7 UUID) or an HMAC digest, never a name or an address";
