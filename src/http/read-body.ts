import { z } from "zod";
import { positiveInt, varsReader } from "../lib/vars";
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
 * Called once with the body's size on the wire, when it has been read and before it is parsed
 * (the request limiter charges for it: a large body costs more than a small one).
 */
export type BodyBytesHook = (bytes: number) => Promise<void>;

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
      415,
      "unsupported_encoding",
      `Content-Encoding "${encoding}" is not supported; send gzip, deflate or an uncompressed body`,
    );
  }
  if (!request.body) throw new ApiError(400, "empty_body", "the request body is empty");

  const wire = request.body.pipeThrough(
    byteCap(limits.MAX_BODY_BYTES, () => bodyTooLarge(limits.MAX_BODY_BYTES), options.onBody),
  );
  let bytes = format
    ? await inflateCapped(wire, format, limits.MAX_DECOMPRESSED_BYTES, () => decompressedTooLarge(limits))
    : await readCapped(wire, limits.MAX_BODY_BYTES, () => bodyTooLarge(limits.MAX_BODY_BYTES), encoding);
  if (!format && options.sniffGzip && isGzip(bytes)) bytes = await gunzipCapped(bytes, limits);

  if (bytes.byteLength === 0) throw new ApiError(400, "empty_body", "the request body is empty");
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
    throw new ApiError(400, "invalid_json", "the request body is not valid UTF-8");
  }
  try {
    return JSON.parse(text);
  } catch {
    throw new ApiError(400, "invalid_json", "the request body is not valid JSON");
  }
}

/**
 * Compressed input reaches the decompressor in slices of at most this many bytes, one slice at a
 * time, and the next slice only once the output of the last one has been read and counted.
 * The platform's decompressor inflates whatever it is given at once, with no regard for how
 * much of its output has been read: one 1 MB chunk of a maximal gzip bomb would become a
 * gigabyte in memory before the cap could be checked. Deflate inflates at most about 1,032
 * bytes per input byte, so no more than ~4 MiB can exist beyond what the cap has counted.
 */
export const INFLATE_SLICE_BYTES = 4096;

/** Inflates a gzip or deflate stream, reading (and keeping) at most `max` inflated bytes. */
export async function inflateCapped(
  compressed: ReadableStream<Uint8Array>,
  format: "gzip" | "deflate",
  max: number,
  tooLarge: () => ApiError,
): Promise<Uint8Array> {
  const decompressor = new DecompressionStream(format);
  const writer = decompressor.writable.getWriter();
  const output = readCapped(decompressor.readable, max, tooLarge, format);
  // If the output fails (over the cap, not valid gzip), stop feeding at once.
  let failed = false;
  output.catch(() => {
    failed = true;
  });
  const input = compressed.getReader();
  try {
    for (;;) {
      const { done, value } = await input.read();
      if (done) break;
      for (let at = 0; at < value.byteLength && !failed; at += INFLATE_SLICE_BYTES) {
        await writer.write(value.subarray(at, at + INFLATE_SLICE_BYTES));
        // A macrotask: every output chunk this slice produced is read (and counted) first.
        await new Promise((resolve) => setTimeout(resolve, 0));
      }
      if (failed) break;
    }
    if (!failed) await writer.close();
  } catch (err) {
    if (!failed) {
      await writer.abort().catch(() => {});
      if (err instanceof ApiError) throw err;
      throw new ApiError(400, "invalid_encoding", `the body is not valid ${format} data`);
    }
  } finally {
    if (failed) {
      await writer.abort().catch(() => {});
      await input.cancel().catch(() => {});
    }
  }
  return output;
}

/** Reads a small `application/x-www-form-urlencoded` body (a sign-in form) under `max` bytes. */
export async function readFormBody(request: Request, max: number): Promise<URLSearchParams> {
  const contentType = request.headers.get("content-type");
  if (contentType?.split(";", 1)[0]?.trim().toLowerCase() !== "application/x-www-form-urlencoded") {
    throw new ApiError(415, "unsupported_media_type", "Content-Type must be application/x-www-form-urlencoded");
  }
  if (Number(request.headers.get("content-length") ?? Number.NaN) > max) throw bodyTooLarge(max);
  if (!request.body) return new URLSearchParams();
  const bytes = await readCapped(request.body, max, () => bodyTooLarge(max), "identity");
  return new URLSearchParams(new TextDecoder().decode(bytes));
}

/** Reads a stream to the end, giving up (and cancelling it) once it passes `max` bytes. */
export async function readCapped(
  stream: ReadableStream<Uint8Array>,
  max: number,
  tooLarge: () => ApiError,
  encoding: string,
): Promise<Uint8Array> {
  const reader = stream.getReader();
  const chunks: Uint8Array[] = [];
  let total = 0;
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) break;
      total += value.byteLength;
      if (total > max) {
        await reader.cancel().catch(() => {});
        throw tooLarge();
      }
      chunks.push(value);
    }
  } catch (err) {
    if (err instanceof ApiError) throw err;
    throw new ApiError(400, "invalid_encoding", `the body is not valid ${encoding} data`);
  }
  if (chunks.length === 1 && chunks[0]) return chunks[0];
  const out = new Uint8Array(total);
  let offset = 0;
  for (const chunk of chunks) {
    out.set(chunk, offset);
    offset += chunk.byteLength;
  }
  return out;
}

function requireMediaType(contentType: string | null, accepted: readonly string[]): string {
  const mediaType = contentType?.split(";", 1)[0]?.trim().toLowerCase() ?? "";
  if (!accepted.includes(mediaType)) {
    const names = accepted.filter((type) => type !== "");
    throw new ApiError(
      415,
      "unsupported_media_type",
      `Content-Type must be ${names.join(" or ")}, got ${contentType ? `"${contentType}"` : "none"}`,
    );
  }
  return mediaType;
}

export function bodyTooLarge(max: number): ApiError {
  return new ApiError(413, "payload_too_large", `the request body exceeds ${max} bytes`);
}

function decompressedTooLarge(limits: BodyLimits): ApiError {
  return new ApiError(413, "payload_too_large", `the decompressed body exceeds ${limits.MAX_DECOMPRESSED_BYTES} bytes`);
}

/** A pass-through stream that errors once more than `max` bytes have gone through it. */
export function byteCap(
  max: number,
  error: () => Error,
  onEnd?: BodyBytesHook,
): TransformStream<Uint8Array, Uint8Array> {
  let seen = 0;
  return new TransformStream({
    async transform(chunk, controller) {
      seen += chunk.byteLength;
      if (seen > max) {
        // The bytes were read all the same: they are paid for, whatever the hook says.
        await onEnd?.(seen).catch(() => {});
        controller.error(error());
      } else controller.enqueue(chunk);
    },
    // The whole body has arrived and nothing is parsed yet: the moment to charge for it.
    flush: async () => onEnd?.(seen),
  });
}
