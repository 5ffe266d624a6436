import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import type { ContentfulStatusCode } from "hono/utils/http-status";

/** The one JSON error shape every route answers with: `{ error, message }`. */
export interface ErrorBody {
  error: string;
  message: string;
}

/**
 * An error that is the client's (4xx) or a known backend state (503). Thrown anywhere in a
 * request; `handleError` answers it as `{ error, message }` with its status and headers.
 * It is Hono's `HTTPException`, so middleware that knows only Hono treats it as one.
 */
export class ApiError extends HTTPException {
  constructor(
    status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(status, { message });
    this.name = "ApiError";
  }

  toBody(): ErrorBody {
    return { error: this.code, message: this.message };
  }

  override getResponse(): Response {
    return Response.json(this.toBody(), { status: this.status, headers: this.headers });
  }
}

/** Seconds a client should wait after a backend failure before retrying. */
export const RETRY_AFTER_SECONDS = 5;

/**
 * A backend (Queue, D1) failed: 503 with Retry-After, never a 2xx and never a 4xx, so the
 * client keeps its data and sends it again.
 */
export function backendUnavailable(code: string, message: string): ApiError {
  return new ApiError(503, code, message, { "Retry-After": String(RETRY_AFTER_SECONDS) });
}

/** Codes for Hono's own HTTPExceptions (thrown by its helpers), by status. */
const codeOfStatus: Partial<Record<number, string>> = {
  400: "bad_request",
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  405: "method_not_allowed",
  413: "payload_too_large",
  415: "unsupported_media_type",
};

/** What an error answers: its status, `{ error, message }` and headers. An unknown error is logged, and a 500. */
export interface ErrorAnswer {
  status: ContentfulStatusCode;
  body: ErrorBody;
  headers: Record<string, string>;
}

export function errorAnswerOf(err: Error): ErrorAnswer {
  if (err instanceof ApiError) return { status: err.status, body: err.toBody(), headers: err.headers };
  if (err instanceof HTTPException) {
    const code = codeOfStatus[err.status] ?? (err.status >= 500 ? "internal_error" : "bad_request");
    return { status: err.status, body: { error: code, message: err.message || code.replace(/_/g, " ") }, headers: {} };
  }
  console.error("unhandled error", err);
  return { status: 500, body: { error: "internal_error", message: "an unexpected error occurred" }, headers: {} };
}

/** The app's `onError`: every error becomes the project's JSON shape; the unknown ones a logged 500. */
export function handleError(err: Error, c: Context): Response {
  if (err instanceof ApiError) return err.getResponse();
  const { status, body } = errorAnswerOf(err);
  return c.json(body, status);
}

/** The 404 of a path no route answers. */
export function noRoute(c: Context): ApiError {
  return new ApiError(404, "not_found", `no route for ${c.req.method} ${c.req.path}`);
}

/** The app's `notFound`. */
export function handleNotFound(c: Context): Response {
  return c.json(noRoute(c).toBody(), 404);
}
