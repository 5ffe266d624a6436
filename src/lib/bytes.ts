import { type NativeEncoders, toBase64 } from "../../packages/client/src/shared/bytes";

/**
 * Bytes as text. Standard base64 and hex are the client SDK's (its package owns them, for its
 * anonymizer and uuids; the collector takes them from there); the collector's own encoders
 * follow, each using the platform's encoder when it exists (workerd) and a plain loop otherwise,
 * and the decoders it needs: base64, and a UUID's 16 bytes (the archive's Parquet UUID column,
 * the prehog answers' batch uuid).
 */

export { toBase64, toHex } from "../../packages/client/src/shared/bytes";

/** URL-safe base64 without padding (RFC 4648 §5). */
export function toBase64Url(bytes: Uint8Array): string {
  const native = (bytes as NativeEncoders).toBase64;
  if (native) return native.call(bytes, { alphabet: "base64url", omitPadding: true });
  return toBase64(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** `n` bytes from the platform's CSPRNG. */
export function randomBytes(n: number): Uint8Array {
  return crypto.getRandomValues(new Uint8Array(n));
}

/**
 * Decodes standard base64 (padding optional, as `atob` allows); undefined when the text is not
 * base64. Spaces are read as "+": a form-encoded value whose "+" was not escaped arrives so.
 */
export function fromBase64(text: string): Uint8Array | undefined {
  let binary: string;
  try {
    binary = atob(text.replace(/ /g, "+"));
  } catch {
    return undefined;
  }
  const bytes = new Uint8Array(binary.length);
  for (let i = 0; i < binary.length; i++) bytes[i] = binary.charCodeAt(i);
  return bytes;
}

const HEX_DIGIT = new Int8Array(128).fill(-1);
for (let i = 0; i < 16; i++) {
  HEX_DIGIT["0123456789abcdef".charCodeAt(i)] = i;
  HEX_DIGIT["0123456789ABCDEF".charCodeAt(i)] = i;
}

/**
 * The 16 bytes of a UUID in its 36-character form (`8-4-4-4-12` hex digits), or undefined;
 * written into `bytes` when given (e.g. a view of a buffer shared by many).
 */
export function uuidBytes(uuid: string, bytes = new Uint8Array(16)): Uint8Array | undefined {
  if (uuid.length !== 36) return undefined;
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
