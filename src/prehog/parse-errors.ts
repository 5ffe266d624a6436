import { Code, ConnectError } from "@connectrpc/connect";
import { createAsyncIterable, readAllBytes, type UniversalServerResponse } from "@connectrpc/connect/protocol";
import { codeToHttpStatus, errorToJsonBytes } from "@connectrpc/connect/protocol-connect";
import { trailerFlag, trailerParse, trailerSerialize } from "@connectrpc/connect/protocol-grpc-web";

/**
 * `@connectrpc/connect` answers a binary request message that does not parse with `internal`
 * (HTTP 500 in the Connect protocol), as if the server had failed. The message is the client's
 * input, and bad input is a 4xx here: such an answer is rewritten to `invalid_argument` (as
 * connect-go answers it). Every other answer passes through unchanged. Unary answers are small,
 * so reading one whole costs nothing worth counting.
 */

const PARSE_FAILURE = /^parse binary: /;

export async function parseFailureAsInvalidArgument(
  response: UniversalServerResponse,
): Promise<UniversalServerResponse> {
  const contentType = response.header?.get("content-type") ?? "";
  if (!response.body) return response;
  if (response.status === 500 && contentType.startsWith("application/json")) {
    const bytes = await readAllBytes(response.body, Number.MAX_SAFE_INTEGER);
    const error = JSON.parse(new TextDecoder().decode(bytes)) as { code?: unknown; message?: unknown };
    if (error.code !== "internal" || typeof error.message !== "string" || !PARSE_FAILURE.test(error.message)) {
      return { ...response, body: createAsyncIterable([bytes]) };
    }
    const body = errorToJsonBytes(new ConnectError(error.message, Code.InvalidArgument), {});
    const header = new Headers(response.header);
    header.set("content-length", String(body.byteLength));
    return { ...response, status: codeToHttpStatus(Code.InvalidArgument), header, body: createAsyncIterable([body]) };
  }
  if (response.status === 200 && contentType.startsWith("application/grpc-web")) {
    const bytes = await readAllBytes(response.body, Number.MAX_SAFE_INTEGER);
    return { ...response, body: createAsyncIterable([rewriteGrpcWebTrailer(bytes)]) };
  }
  return response;
}

/** A gRPC-Web body whose last frame is an uncompressed trailer with a parse failure, rewritten. */
function rewriteGrpcWebTrailer(body: Uint8Array): Uint8Array {
  // Frames are [flags: 1 byte][length: 4 bytes, big-endian][data]; the trailer frame comes last.
  let offset = 0;
  while (offset + 5 <= body.length) {
    const view = new DataView(body.buffer, body.byteOffset + offset, 5);
    const length = view.getUint32(1);
    if (view.getUint8(0) === trailerFlag && offset + 5 + length === body.length) {
      const trailer = trailerParse(body.subarray(offset + 5));
      const message = decodeURIComponent(trailer.get("grpc-message") ?? "");
      if (trailer.get("grpc-status") !== String(Code.Internal) || !PARSE_FAILURE.test(message)) return body;
      trailer.set("grpc-status", String(Code.InvalidArgument));
      const data = trailerSerialize(trailer);
      const frame = new Uint8Array(5 + data.length);
      frame[0] = trailerFlag;
      new DataView(frame.buffer).setUint32(1, data.length);
      frame.set(data, 5);
      const rewritten = new Uint8Array(offset + frame.length);
      rewritten.set(body.subarray(0, offset));
      rewritten.set(frame, offset);
      return rewritten;
    }
    offset += 5 + length;
  }
  return body;
}
