import { zValidator } from "@hono/zod-validator";
import type { z } from "zod";
import type { RequestErrorCode } from "./error-codes";
import { ApiError } from "./errors";

/**
 * The one seam between zod and the project's error shape: query strings, path parameters and
 * small JSON bodies through a validator whose hook throws the project's error (`validationHook`,
 * used by every route's declaration), and bodies read under caps through `parseOrThrow`. All
 * word the first issue the same way.
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
  code: RequestErrorCode,
  expected?: string,
): z.output<T> {
  const parsed = schema.safeParse(value, { reportInput: true });
  if (parsed.success) return parsed.data;
  throw new ApiError(code, withExpected(describeIssue(parsed.error.issues[0]), expected));
}

/**
 * A request part (query, path, JSON body) that failed its schema: the project's 400,
 * `invalid_query` for the query string, `invalid_body` otherwise. The hook of every validator:
 * the routes' `openapi()` declarations (http/openapi.ts) and `validQuery`.
 */
export function validationHook(
  result: { target: string } & ({ success: true } | { success: false; error: { issues: z.core.$ZodIssue[] } }),
): undefined {
  if (result.success) return;
  const where = result.target === "query" ? "" : result.target === "param" ? "path" : "body";
  throw new ApiError(
    result.target === "query" ? "invalid_query" : "invalid_body",
    describeIssue(result.error.issues[0], where),
  );
}

/**
 * Validates the query string of a route declared without OpenAPI (a dashboard page), reminding
 * a person of its shape (`expected`), since no description is at hand there.
 */
export function validQuery<T extends z.ZodType>(schema: T, expected: string) {
  return zValidator("query", schema, (result) => {
    if (!result.success) {
      throw new ApiError("invalid_query", withExpected(describeIssue(result.error.issues[0], ""), expected));
    }
  });
}

function withExpected(message: string, expected: string | undefined): string {
  return expected ? `${message} (expected ${expected})` : message;
}
