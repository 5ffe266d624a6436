import type { RequestErrorCode } from "./error-codes";
import { ApiError } from "./errors";

/**
 * Refuses (413) a list of more than `max` items, before any item is validated: an oversized
 * request costs no work beyond the JSON parse. `noun` names the items ("events"), `container`
 * what carries them ("batch").
 */
export function assertWithinCap(
  list: unknown,
  max: number,
  error: RequestErrorCode,
  noun: string,
  container = "request",
): void {
  if (Array.isArray(list) && list.length > max) {
    throw new ApiError(error, `a ${container} may carry at most ${max} ${noun}, this one has ${list.length}; split it`);
  }
}
