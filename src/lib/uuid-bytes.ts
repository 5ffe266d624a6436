/** A UUID's 16 bytes from its text (the archive's Parquet UUID column); apart from bytes.ts, which the client bundles. */

const HEX_DIGIT = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) {
  HEX_DIGIT["0123456789abcdef".charCodeAt(i)] = i;
  HEX_DIGIT["0123456789ABCDEF".charCodeAt(i)] = i;
}

/** The 16 bytes of a UUID in its 36-character form (`8-4-4-4-12` hex digits), or undefined. */
export function uuidBytes(uuid: string): Uint8Array | undefined {
  if (uuid.length !== 36) return undefined;
  const bytes = new Uint8Array(16);
  let j = 0;
  for (let i = 0; i < 36; i += 2) {
    if (i === 8 || i === 13 || i === 18 || i === 23) {
      if (uuid.charCodeAt(i) !== 45) return undefined;
      i--;
      continue;
    }
    const hi = HEX_DIGIT[uuid.charCodeAt(i)] ?? -1;
    const lo = HEX_DIGIT[uuid.charCodeAt(i + 1)] ?? -1;
    if (hi < 0 || lo < 0) return undefined;
    bytes[j++] = (hi << 4) | lo;
  }
  return bytes;
}
