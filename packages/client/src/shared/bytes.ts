/**
 * Bytes as text, shared by the SDK and the collector (whose src/lib/bytes.ts takes them from
 * here). workerd has `Uint8Array.prototype.toBase64` / `toHex` (TC39 "Uint8Array to/from
 * base64"); Node 20 and older browsers do not, so each encoder uses the platform's when it
 * exists and a plain loop otherwise.
 */

export interface NativeEncoders {
  toBase64?(options?: { alphabet?: "base64" | "base64url"; omitPadding?: boolean }): string;
  toHex?(): string;
}

/** Standard base64 with padding (RFC 4648 §4). */
export function toBase64(bytes: Uint8Array): string {
  const native = (bytes as NativeEncoders).toBase64;
  if (native) return native.call(bytes);
  let binary = "";
  for (const byte of bytes) binary += String.fromCharCode(byte);
  return btoa(binary);
}

/** Lowercase hexadecimal. */
export function toHex(bytes: Uint8Array): string {
  const native = (bytes as NativeEncoders).toHex;
  if (native) return native.call(bytes);
  let hex = "";
  for (const byte of bytes) hex += byte.toString(16).padStart(2, "0");
  return hex;
}
