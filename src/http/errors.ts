import type { ContentfulStatusCode } from "hono/utils/http-status";

/** The one JSON error shape every route answers with: `{ error, message }`. */
export interface ErrorBody {
  error: string;
  message: string;
}

/**
 * An error that is the client's (4xx) or a known backend state (503). Thrown anywhere in a
 * request; the app's error handler turns it into `{ error, message }` with its status.
 */
export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: string,
    message: string,
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
    this.name = "ApiError";
  }

  toBody(): ErrorBody {
    return { error: this.code, message: this.message };
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
