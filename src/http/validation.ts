import { zValidator } from "@hono/zod-validator";
import type { z } from "zod";
import { ApiError } from "./errors";

/**
 * The one seam between zod and the project's error shape: query strings and small JSON bodies
 * through `@hono/zod-validator` with a hook that throws the project's error, and bodies read
 * under caps through `parseOrThrow`. All word the first issue the same way.
 */

/**
 * "field: what is wrong", or "field is required" when the field is missing. An issue about
 * the whole value is named after `root` ("body"), or not named when `root` is empty.
 */
export function describeIssue(issue: z.core.$ZodIssue | undefined, root = "body"): string {
  if (!issue) return "invalid input";
  const where = issue.path.length > 0 ? issue.path.join(".") : root;
  if (!where) return issue.message;
  if (issue.code === "invalid_type" && issue.input === undefined) return `${where} is required`;
  return `${where}: ${issue.message}`;
}

/** Parses `value` or throws a 400 with `code`, the first issue and an optional reminder of the shape. */
export function parseOrThrow<T extends z.ZodType>(
  schema: T,
  value: unknown,
  code: string,
  expected?: string,
): z.output<T> {
  const parsed = schema.safeParse(value, { reportInput: true });
  if (parsed.success) return parsed.data;
  throw new ApiError(400, code, withExpected(describeIssue(parsed.error.issues[0]), expected));
}

/** Validates the query string (`c.req.valid("query")`); a bad one is a 400 `invalid_query`. */
export function validQuery<T extends z.ZodType>(schema: T, expected: string) {
  return zValidator("query", schema, (result) => {
    if (!result.success) {
      throw new ApiError(400, "invalid_query", withExpected(describeIssue(result.error.issues[0], ""), expected));
    }
  });
}

/** Validates a small JSON body (`c.req.valid("json")`); a bad one is a 400 `invalid_body`. */
export function validJson<T extends z.ZodType>(schema: T) {
  return zValidator("json", schema, (result) => {
    if (!result.success) throw new ApiError(400, "invalid_body", describeIssue(result.error.issues[0]));
  });
}

function withExpected(message: string, expected: string | undefined): string {
  return expected ? `${message} (expected ${expected})` : message;
}
