import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { StorageError } from "../lib/storage-guard";
import { codeToStatus, type ErrorCode, type ErrorStatus, type RequestErrorCode } from "./error-codes";

/**
 * The one error type and the one mapping of every error to an answer. A route throws
 * `ApiError(code, message)`; its status is the code's (error-codes.ts), so a code and its status
 * never disagree. `errorAnswerOf` maps anything thrown: an `ApiError` as itself, Hono's own
 * `HTTPException`s to the code of their status, a storage call that failed (lib/storage-guard.ts)
 * to `503 storage_unavailable` with Retry-After, and anything else, a defect, to a logged 500.
 * The JSON routes answer it as JSON, the dashboard as a page, the RPC routes in Connect's form.
 */

/** The one JSON error shape every route answers with: `{ error, message }`. */
export interface ErrorBody {
  error: ErrorCode;
  message: string;
}

/**
 * An error that is the client's (4xx) or a known backend state (503). Thrown anywhere in a
 * request; answered as `{ error, message }` with its code's status and its headers.
 * It is Hono's `HTTPException`, so middleware that knows only Hono treats it as one.
 */
export class ApiError extends HTTPException {
  override readonly status: ErrorStatus;

  constructor(
    readonly code: RequestErrorCode,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    const status = codeToStatus(code);
    super(status, { message });
    this.status = status;
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
 * Storage (D1, a Queue, R2) did not answer: 503 with Retry-After, never a 2xx and never a 4xx,
 * so the client keeps its data and sends it again.
 */
export function storageUnavailable(message: string): ApiError {
  return new ApiError("storage_unavailable", message, { "Retry-After": String(RETRY_AFTER_SECONDS) });
}

const STORAGE_NAMES = { database: "the database", queue: "the queue", archive: "the archive" } as const;

/** Codes for Hono's own HTTPExceptions (thrown by its helpers), by status. */
const codeOfStatus: Partial<Record<number, RequestErrorCode>> = {
  400: "bad_request",
  401: "unauthorized",
  403: "forbidden",
  404: "not_found",
  405: "method_not_allowed",
  413: "payload_too_large",
  415: "unsupported_media_type",
};

/** What an error answers: its status, `{ error, message }` and headers. */
export interface ErrorAnswer {
  status: ErrorStatus;
  body: ErrorBody;
  headers: Record<string, string>;
}

export function errorAnswerOf(err: Error): ErrorAnswer {
  if (err instanceof ApiError) return { status: err.status, body: err.toBody(), headers: err.headers };
  if (err instanceof StorageError) {
    // Logged with its cause: a statement our code got wrong fails here too, and must be seen.
    console.error(`storage unavailable: ${err.message}`);
    const answer = storageUnavailable(`${STORAGE_NAMES[err.kind]} did not answer; try again in a few seconds`);
    return { status: answer.status, body: answer.toBody(), headers: answer.headers };
  }
  if (err instanceof HTTPException && err.status < 500) {
    const code = codeOfStatus[err.status] ?? "bad_request";
    const status = codeToStatus(code);
    return { status, body: { error: code, message: err.message || code.replace(/_/g, " ") }, headers: {} };
  }
  console.error("unhandled error", err);
  return { status: 500, body: { error: "internal_error", message: "an unexpected error occurred" }, headers: {} };
}

/** The app's `onError`: every error becomes the project's JSON shape. */
export function handleError(err: Error, c: Context): Response {
  const { status, body, headers } = errorAnswerOf(err);
  return c.json(body, status, headers);
}

/** The 404 of a path no route answers. */
export function noRoute(c: Context): ApiError {
  return new ApiError("not_found", `no route for ${c.req.method} ${c.req.path}`);
}

/** The app's `notFound`. */
export function handleNotFound(c: Context): Response {
  return c.json(noRoute(c).toBody(), 404);
}
