import type { BodyBytesHook } from "../http/capped-stream";
import { ApiError } from "../http/errors";
import { type BodyLimits, bodyTooLarge, gunzipCapped, isGzip, parseJsonBytes, readBody } from "../http/read-body";
import { fromBase64 } from "../lib/bytes";

/**
 * The encodings PostHog's SDKs send a capture payload in, down to its JSON value: JSON (with
 * or without `Content-Encoding: gzip`), gzip sent as text/plain with no header (posthog-js:
 * found by its magic bytes, `?compression=gzip-js` or not), base64 (`?compression=base64`),
 * a form field `data=` (base64 or JSON), and `GET ?data=`. Every path goes through the same
 * two caps as the native API (http/read-body.ts). lz64 is not decoded: no current SDK sends it.
 */

/** What PostHog's SDKs put in Content-Type; "" is a request without one. */
const MEDIA_TYPES = ["application/json", "text/plain", "application/x-www-form-urlencoded", ""] as const;
const FORM = "application/x-www-form-urlencoded";

type Hint = "gzip" | "base64" | undefined;

/** The `compression` hint of a query string or form; gzip is sniffed whatever the hint says. */
function compressionHint(value: string | null | undefined): Hint {
  switch (value?.trim().toLowerCase()) {
    case "gzip":
    case "gzip-js":
      return "gzip";
    case "base64":
    case "b64":
      return "base64";
    case "lz64":
    case "lz-string":
      throw new ApiError(
        "unsupported_encoding",
        "lz64 payloads are not supported; send gzip, base64 or plain JSON (current PostHog SDKs never send lz64)",
      );
    default:
      return undefined;
  }
}

/**
 * The JSON value a capture request carries, whatever its encoding. `onBody` is told the size on
 * the wire (a GET's `data` included) once it is read and before anything is decoded.
 */
export async function decodeCapture(request: Request, limits: BodyLimits, onBody: BodyBytesHook): Promise<unknown> {
  const query = new URL(request.url).searchParams;
  const hint = compressionHint(query.get("compression"));
  if (request.method === "GET") {
    const data = query.get("data");
    if (!data) throw new ApiError("empty_body", "a GET capture carries its events in ?data=");
    assertWithinBody(data, limits);
    await onBody(data.length);
    return decodeData(data, hint, limits);
  }
  const { bytes, mediaType } = await readBody(request, limits, { mediaTypes: MEDIA_TYPES, sniffGzip: true, onBody });
  if (mediaType === FORM) {
    const form = new URLSearchParams(utf8(bytes));
    const data = form.get("data");
    if (!data) throw new ApiError("empty_body", "a form capture carries its events in its data field");
    return decodeData(data, compressionHint(form.get("compression")) ?? hint, limits);
  }
  if (hint === "base64") return decodeData(utf8(bytes), hint, limits);
  return parseJsonBytes(bytes);
}

/** A `data` value: JSON as it is, or base64 of JSON (or of gzip, as legacy clients wrap it). */
async function decodeData(data: string, hint: Hint, limits: BodyLimits): Promise<unknown> {
  const text = data.trim();
  assertWithinBody(text, limits);
  if (hint !== "base64" && (text.startsWith("{") || text.startsWith("["))) {
    return parseJsonBytes(new TextEncoder().encode(text));
  }
  const bytes = fromBase64(text);
  if (!bytes) throw new ApiError("invalid_encoding", "the data is neither JSON nor base64");
  if (isGzip(bytes)) return parseJsonBytes(await gunzipCapped(bytes, limits));
  if (bytes.byteLength > limits.MAX_DECOMPRESSED_BYTES) {
    throw new ApiError("payload_too_large", `the decoded body exceeds ${limits.MAX_DECOMPRESSED_BYTES} bytes`);
  }
  return parseJsonBytes(bytes);
}

function assertWithinBody(data: string, limits: BodyLimits): void {
  if (data.length > limits.MAX_BODY_BYTES) throw bodyTooLarge(limits.MAX_BODY_BYTES);
}

function utf8(bytes: Uint8Array): string {
  return new TextDecoder().decode(bytes);
}
