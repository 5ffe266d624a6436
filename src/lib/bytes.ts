/**
 * Bytes as text. workerd has `Uint8Array.prototype.toBase64` / `toHex` (TC39 "Uint8Array to/from
 * base64"); the same modules run in Node 20 and older browsers (the anonymizer), so each
 * encoder uses the platform's when it exists and a plain loop otherwise.
 */

interface NativeEncoders {
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

/** URL-safe base64 without padding (RFC 4648 §5). */
export function toBase64Url(bytes: Uint8Array): string {
  const native = (bytes as NativeEncoders).toBase64;
  if (native) return native.call(bytes, { alphabet: "base64url", omitPadding: true });
  return toBase64(bytes).replace(/\+/g, "-").replace(/\//g, "_").replace(/=+$/, "");
}

/** Lowercase hexadecimal. */
export function toHex(bytes: Uint8Array): string {
  const native = (bytes as NativeEncoders).toHex;
  if (native) return native.call(bytes);
  let hex = "";
  for (const byte of bytes) hex += byte.toString(16).padStart(2, "0");
  return hex;
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
