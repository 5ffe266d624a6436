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
