import { z } from "zod";
import { positiveInt, varsReader } from "../lib/vars";
import { ApiError } from "./errors";

/**
 * Every route that takes a body reads it here, under two caps (wrangler.toml vars): bytes on
 * the wire, and bytes after gzip/deflate. Both are enforced while the body streams in.
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
 * Reads a JSON request body under both size caps, inflating gzip/deflate bodies as a stream
 * so that an oversized body is refused as soon as a cap is crossed, not after it is buffered.
 */
export async function readJsonBody(request: Request, limits: BodyLimits): Promise<unknown> {
  requireJsonContentType(request.headers.get("content-type"));

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

  const decompressedTooLarge = () =>
    new ApiError(413, "payload_too_large", `the decompressed body exceeds ${limits.MAX_DECOMPRESSED_BYTES} bytes`);
  const bytes = format
    ? await readCapped(
        request.body
          .pipeThrough(byteCap(limits.MAX_BODY_BYTES, () => bodyTooLarge(limits.MAX_BODY_BYTES)))
          .pipeThrough(new DecompressionStream(format)),
        limits.MAX_DECOMPRESSED_BYTES,
        decompressedTooLarge,
        encoding,
      )
    : await readCapped(request.body, limits.MAX_BODY_BYTES, () => bodyTooLarge(limits.MAX_BODY_BYTES), encoding);

  if (bytes.byteLength === 0) throw new ApiError(400, "empty_body", "the request body is empty");
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
async function readCapped(
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

function requireJsonContentType(contentType: string | null): void {
  const mediaType = contentType?.split(";", 1)[0]?.trim().toLowerCase();
  if (mediaType !== "application/json" && mediaType !== "text/plain") {
    // text/plain is accepted because browsers send it from navigator.sendBeacon and to avoid
    // a CORS preflight; the body must still be JSON.
    throw new ApiError(
      415,
      "unsupported_media_type",
      `Content-Type must be application/json, got ${contentType ? `"${contentType}"` : "none"}`,
    );
  }
}

function bodyTooLarge(max: number): ApiError {
  return new ApiError(413, "payload_too_large", `the request body exceeds ${max} bytes`);
}

/** A pass-through stream that errors once more than `max` bytes have gone through it. */
function byteCap(max: number, error: () => ApiError): TransformStream<Uint8Array, Uint8Array> {
  let seen = 0;
  return new TransformStream({
    transform(chunk, controller) {
      seen += chunk.byteLength;
      if (seen > max) controller.error(error());
      else controller.enqueue(chunk);
    },
  });
}
