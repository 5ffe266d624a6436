import { z } from "zod";
import { positiveInt, varsReader } from "../lib/vars";
import { type BodyBytesHook, byteCap, inflateCapped, readCapped } from "./capped-stream";
import { ApiError } from "./errors";

/**
 * Every route that takes a body reads it here, under two caps (wrangler.toml vars): bytes on
 * the wire, and bytes after gzip/deflate. Both are enforced while the body streams in, and the
 * same inflation cap applies to gzip found inside a body (PostHog's browser SDK sends gzip
 * without Content-Encoding; older ones wrap it in base64).
 */
export const bodyLimitsOf = varsReader(
  "body limit",
  z.object({
    /** Bytes as received, before any decompression. */
    MAX_BODY_BYTES: positiveInt(1_048_576),
    /** Bytes after decompression: stops gzip bombs before they are inflated in full. */
    MAX_DECOMPRESSED_BYTES: positiveInt(4_194_304),
  }),
);
export type BodyLimits = ReturnType<typeof bodyLimitsOf>;

const decoders: Record<string, "gzip" | "deflate"> = {
  gzip: "gzip",
  "x-gzip": "gzip",
  deflate: "deflate",
};

/**
 * JSON bodies: text/plain is accepted because browsers send it from navigator.sendBeacon and
 * to avoid a CORS preflight; the body must still be JSON.
 */
const JSON_MEDIA_TYPES = ["application/json", "text/plain"] as const;

export interface ReadBodyOptions {
  /** Accepted media types, lower-case and without parameters; "" admits a request without Content-Type. */
  mediaTypes: readonly string[];
  /** Inflate a body that starts with gzip's magic bytes even when no Content-Encoding says so. */
  sniffGzip?: boolean;
  onBody?: BodyBytesHook;
}

export interface RawBody {
  /** The body after any decompression, never empty. */
  bytes: Uint8Array;
  /** The request's media type, lower-case ("" when it had none). */
  mediaType: string;
}

/**
 * Reads a request body under both size caps, inflating gzip/deflate bodies as a stream so that
 * an oversized body is refused as soon as a cap is crossed, not after it is buffered.
 */
export async function readBody(request: Request, limits: BodyLimits, options: ReadBodyOptions): Promise<RawBody> {
  const mediaType = requireMediaType(request.headers.get("content-type"), options.mediaTypes);

  const declared = Number(request.headers.get("content-length") ?? Number.NaN);
  if (declared > limits.MAX_BODY_BYTES) throw bodyTooLarge(limits.MAX_BODY_BYTES);

  const encoding = (request.headers.get("content-encoding") ?? "identity").trim().toLowerCase();
  const format = decoders[encoding];
  if (!format && encoding !== "identity") {
    throw new ApiError(
      "unsupported_encoding",
      `Content-Encoding "${encoding}" is not supported; send gzip, deflate or an uncompressed body`,
    );
  }
  if (!request.body) throw new ApiError("empty_body", "the request body is empty");

  const tooLarge = () => bodyTooLarge(limits.MAX_BODY_BYTES);
  // The bytes on the wire are counted (and paid for) as they are read: by the read itself for
  // a plain body, by a pass-through before the inflater for a compressed one. A plain body of
  // a declared length (already within the cap) is read at once: HTTP framing ends it there.
  let bytes: Uint8Array;
  if (format) {
    bytes = await inflateCapped(
      request.body.pipeThrough(byteCap(limits.MAX_BODY_BYTES, tooLarge, options.onBody)),
      format,
      limits.MAX_DECOMPRESSED_BYTES,
      () => decompressedTooLarge(limits),
    );
  } else if (Number.isSafeInteger(declared) && declared >= 0) {
    bytes = new Uint8Array(await request.arrayBuffer());
    await options.onBody?.(bytes.byteLength);
    if (bytes.byteLength > limits.MAX_BODY_BYTES) throw tooLarge();
  } else {
    bytes = await readCapped(request.body, limits.MAX_BODY_BYTES, tooLarge, encoding, options.onBody);
  }
  if (!format && options.sniffGzip && isGzip(bytes)) bytes = await gunzipCapped(bytes, limits);

  if (bytes.byteLength === 0) throw new ApiError("empty_body", "the request body is empty");
  return { bytes, mediaType };
}

/** Reads a JSON request body (application/json or text/plain) under both size caps. */
export async function readJsonBody(request: Request, limits: BodyLimits, onBody?: BodyBytesHook): Promise<unknown> {
  const { bytes } = await readBody(request, limits, { mediaTypes: JSON_MEDIA_TYPES, onBody });
  return parseJsonBytes(bytes);
}

/** True when the bytes start with gzip's magic number (1f 8b). */
export function isGzip(bytes: Uint8Array): boolean {
  return bytes.byteLength >= 2 && bytes[0] === 0x1f && bytes[1] === 0x8b;
}

/** Inflates gzip bytes already in memory (sniffed, or unwrapped from base64), under MAX_DECOMPRESSED_BYTES. */
export function gunzipCapped(bytes: Uint8Array, limits: BodyLimits): Promise<Uint8Array> {
  return inflateCapped(new Blob([bytes]).stream(), "gzip", limits.MAX_DECOMPRESSED_BYTES, () =>
    decompressedTooLarge(limits),
  );
}

/** UTF-8 bytes parsed as JSON; 400 `invalid_json` when they are not. */
export function parseJsonBytes(bytes: Uint8Array): unknown {
  let text: string;
  try {
    text = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false }).decode(bytes);
  } catch {
    throw new ApiError("invalid_json", "the request body is not valid UTF-8");
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError("invalid_json", "the request body is not valid JSON");
  }
}

/** Reads a small `application/x-www-form-urlencoded` body (a sign-in form) under `max` bytes. */
export async function readFormBody(request: Request, max: number): Promise<URLSearchParams> {
  const contentType = request.headers.get("content-type");
  if (contentType?.split(";", 1)[0]?.trim().toLowerCase() !== "application/x-www-form-urlencoded") {
    throw new ApiError("unsupported_media_type", "Content-Type must be application/x-www-form-urlencoded");
  }
  if (Number(request.headers.get("content-length") ?? Number.NaN) > max) throw bodyTooLarge(max);
  if (!request.body) return new URLSearchParams();
  const bytes = await readCapped(request.body, max, () => bodyTooLarge(max), "identity");
  return new URLSearchParams(new TextDecoder().decode(bytes));
}

function requireMediaType(contentType: string | null, accepted: readonly string[]): string {
  const mediaType = contentType?.split(";", 1)[0]?.trim().toLowerCase() ?? "";
  if (!accepted.includes(mediaType)) {
    const names = accepted.filter((type) => type !== "");
    throw new ApiError(
      "unsupported_media_type",
      `Content-Type must be ${names.join(" or ")}, got ${contentType ? `"${contentType}"` : "none"}`,
    );
  }
  return mediaType;
}

export function bodyTooLarge(max: number): ApiError {
  return new ApiError("payload_too_large", `the request body exceeds ${max} bytes`);
}

function decompressedTooLarge(limits: BodyLimits): ApiError {
  return new ApiError("payload_too_large", `the decompressed body exceeds ${limits.MAX_DECOMPRESSED_BYTES} bytes`);
}
