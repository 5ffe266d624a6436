import { Code, ConnectError } from "@connectrpc/connect";
import { codeToHttpStatus, errorToJsonBytes } from "@connectrpc/connect/protocol-connect";
import { setTrailerStatus } from "@connectrpc/connect/protocol-grpc-web";
import { createMiddleware } from "hono/factory";
import { ApiError } from "../http/errors";

/**
 * The project's errors in Connect's form. An `ApiError` keeps its meaning: its HTTP status picks
 * the Connect code, its own code leads the message ("rate_limited: …"), and its headers
 * (Retry-After, WWW-Authenticate) go out as response headers. Errors raised inside an RPC are
 * encoded by the Connect router; `rpcErrors` encodes those raised before it (the limiter).
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
  if (err instanceof ApiError) {
    return new ConnectError(`${err.code}: ${err.message}`, CODE_OF_STATUS[err.status] ?? Code.Internal, err.headers);
  }
  console.error("unhandled error in an RPC", err);
  return new ConnectError("an unexpected error occurred", Code.Internal);
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

/** Mounted before the limiter on the RPC paths: whatever failed there is answered in Connect's form. */
export const rpcErrors = createMiddleware(async (c, next) => {
  await next();
  if (c.error) c.res = rpcErrorResponse(c.req.raw, toConnectError(c.error));
});
