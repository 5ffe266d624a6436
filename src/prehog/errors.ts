import { Code, ConnectError } from "@connectrpc/connect";
import { codeToHttpStatus, errorToJsonBytes } from "@connectrpc/connect/protocol-connect";
import { setTrailerStatus } from "@connectrpc/connect/protocol-grpc-web";
import type { Context } from "hono";
import { errorAnswerOf } from "../http/errors";

/**
 * The project's errors in Connect's form. Every error is first answered as the JSON routes
 * answer it (http/errors.ts: a storage failure is `storage_unavailable`, a defect a logged
 * `internal_error`); its HTTP status picks the Connect code, its code leads the message
 * ("rate_limited: …"), and its headers (Retry-After, WWW-Authenticate) go out as response
 * headers. Errors raised inside an RPC are encoded by the Connect router; `rpcOnError`, the RPC
 * routes' `onError`, encodes those raised before it (the limiter).
 */

const CODE_OF_STATUS: Partial<Record<number, Code>> = {
  400: Code.InvalidArgument,
  401: Code.Unauthenticated,
  403: Code.PermissionDenied,
  404: Code.NotFound,
  // A request over a size cap: what gRPC and Connect servers answer for an oversized message.
  413: Code.ResourceExhausted,
  415: Code.InvalidArgument,
  429: Code.ResourceExhausted,
  503: Code.Unavailable,
};

export function toConnectError(err: unknown): ConnectError {
  if (err instanceof ConnectError) return err;
  const { status, body, headers } = errorAnswerOf(err instanceof Error ? err : new Error(String(err)));
  return new ConnectError(`${body.error}: ${body.message}`, CODE_OF_STATUS[status] ?? Code.Internal, headers);
}

/**
 * An error answered outside the router, in the caller's protocol: gRPC-Web as a trailers-only
 * response (HTTP 200, the status in the headers), Connect as its JSON error body and status.
 */
export function rpcErrorResponse(request: Request, error: ConnectError): Response {
  const contentType = request.headers.get("content-type")?.toLowerCase() ?? "";
  const headers = new Headers();
  if (contentType.startsWith("application/grpc-web")) {
    headers.set(
      "content-type",
      contentType.includes("json") ? "application/grpc-web+json" : "application/grpc-web+proto",
    );
    setTrailerStatus(headers, error);
    return new Response(null, { status: 200, headers });
  }
  error.metadata.forEach((value, name) => {
    headers.set(name, value);
  });
  headers.set("content-type", "application/json");
  return new Response(errorToJsonBytes(error, {}), { status: codeToHttpStatus(error.code), headers });
}

/** The RPC routes' `onError`: whatever failed outside the router is answered in Connect's form. */
export function rpcOnError(err: Error, c: Context): Response {
  return rpcErrorResponse(c.req.raw, toConnectError(err));
}
