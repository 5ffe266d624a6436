import { ApiError, backendUnavailable } from "../http/errors";

/**
 * A page's reads from D1: a failure is a 503 with Retry-After (reload shortly), never a page of
 * zeros. Every dashboard page reads through it. An ApiError (an unknown tenant's 404) is the
 * read's own answer and passes as it is.
 */
export async function fromD1<T>(read: Promise<T>): Promise<T> {
  try {
    return await read;
  } catch (err) {
    if (err instanceof ApiError) throw err;
    console.error("dashboard: reading D1 failed", err);
    throw backendUnavailable("storage_unavailable", "the database could not be read; reload the page in a few seconds");
  }
}

export const originOf = (url: string) => new URL(url).origin;
