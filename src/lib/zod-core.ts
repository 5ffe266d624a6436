/**
 * `z.core` of the collector's zod (./zod.ts): zod core's regular expressions (the ingest core
 * checks timestamps with zod's own RFC 3339 pattern) and its types (`z.core.$ZodIssue`), without
 * the locales zod core's namespace also carries.
 */
export type * from "zod/v4/core";
export { regexes } from "zod/v4/core";
