import type { Compression } from "@connectrpc/connect/protocol";
import { type BodyBytesHook, byteCap, inflateCapped } from "../http/capped-stream";
import { ApiError } from "../http/errors";
import { type BodyLimits, bodyTooLarge } from "../http/read-body";
import { toConnectError } from "./errors";

/**
 * The RPC doors read bodies under the same two caps as the JSON routes (http/read-body.ts):
 * `MAX_BODY_BYTES` on the wire, `MAX_DECOMPRESSED_BYTES` once inflated, with the same capped
 * inflation (`inflateCapped`), so a gzip bomb stops at the cap.
 */

/** The gzip codec of the Connect router (Connect's Content-Encoding, gRPC-Web's grpc-encoding). */
export function gzipCodec(limits: BodyLimits): Compression {
  return {
    name: "gzip",
    async compress(bytes) {
      return new Uint8Array(
        await new Response(blobStream(bytes).pipeThrough(new CompressionStream("gzip"))).arrayBuffer(),
      );
    },
    async decompress(bytes, readMaxBytes) {
      const max = Math.min(readMaxBytes, limits.MAX_DECOMPRESSED_BYTES);
      const tooLarge = () => new ApiError("payload_too_large", `the decompressed message exceeds ${max} bytes`);
      try {
        const inflated = await inflateCapped(blobStream(bytes), "gzip", max, tooLarge);
        return new Uint8Array(inflated);
      } catch (err) {
        // invalid_encoding (not gzip) becomes invalid_argument, payload_too_large resource_exhausted.
        throw toConnectError(err);
      }
    },
  };
}

/**
 * The request's body under `MAX_BODY_BYTES`: refused at once when its declared length is over,
 * otherwise cut off (and the call failed) as soon as more bytes than that have arrived.
 */
export function cappedBody(
  request: Request,
  limits: BodyLimits,
  onBody: BodyBytesHook,
): ReadableStream<Uint8Array> | null {
  const max = limits.MAX_BODY_BYTES;
  const declared = Number(request.headers.get("content-length") ?? Number.NaN);
  if (declared > max) throw toConnectError(bodyTooLarge(max));
  // The body is paid for (the limiter's `chargeBody`) once read, before the router decodes it.
  const charge: BodyBytesHook = (bytes) => onBody(bytes).catch((err) => Promise.reject(toConnectError(err)));
  return request.body?.pipeThrough(byteCap(max, () => toConnectError(bodyTooLarge(max)), charge)) ?? null;
}

function blobStream(bytes: Uint8Array): ReadableStream<Uint8Array> {
  return new Blob([bytes]).stream();
}
