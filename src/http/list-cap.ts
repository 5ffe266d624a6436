import { ApiError } from "./errors";

/**
 * Refuses (413) a body whose list `field` holds more than `max` items. It runs before any
 * validation, so an oversized request costs no work beyond the JSON parse.
 */
export function assertListWithinCap(body: unknown, field: string, max: number, error: string, noun: string): void {
  if (body === null || typeof body !== "object" || !(field in body)) return;
  const list = (body as Record<string, unknown>)[field];
  if (Array.isArray(list) && list.length > max) {
    throw new ApiError(
      413,
      error,
      `a ${noun === "events" ? "batch" : "request"} may carry at most ${max} ${noun}, this one has ${list.length}; split it`,
    );
  }
}
