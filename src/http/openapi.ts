import { type Hook, OpenAPIHono } from "@hono/zod-openapi";
import type { Env } from "hono";
import { z } from "zod";
import { ERROR_CODES, type ErrorStatus, errorCodes, type ItemErrorCode, type RequestErrorCode } from "./error-codes";
import { validationHook } from "./validation";

/**
 * The seam between the routes and their OpenAPI description. A JSON route is declared with
 * `createRoute` and `app.openapi(route, handler)`: the one zod schema of its query, path or body
 * both validates the request (a failure throws the project's 400: validation.ts) and
 * documents it. A route whose body is read by hand under caps (events, usage reports, PostHog's
 * encodings, Connect RPCs) or that answers HTML is still described, by registering its
 * description on its app (`app.openAPIRegistry.registerPath`): its validation stays where it
 * is, and its description says so. `errorResponses` documents the
 * error shape with the codes a route answers, from the one list (error-codes.ts).
 */

/** A sub-app whose `openapi()` routes validate with the project's errors. */
export function routesApp<E extends Env>(): OpenAPIHono<E> {
  return new OpenAPIHono<E>({ defaultHook: validationHook as Hook<unknown, E, string, unknown> });
}

/** The error shape, its `error` restricted to `codes`. */
export function errorSchema(codes: readonly [RequestErrorCode, ...RequestErrorCode[]]) {
  return z.object({
    error: z.enum(codes).describe("the error code (docs/ARCHITECTURE.md lists them all)"),
    message: z.string().describe("what went wrong, for a person"),
  });
}

/** The responses of a route's error `codes`, one per status, each listing its codes. */
export function errorResponses(...codes: RequestErrorCode[]) {
  const byStatus = new Map<ErrorStatus, RequestErrorCode[]>();
  for (const code of new Set(codes)) {
    const status = ERROR_CODES[code].status;
    byStatus.set(status, [...(byStatus.get(status) ?? []), code]);
  }
  return Object.fromEntries(
    [...byStatus].map(([status, listed]) => [
      status,
      {
        description: listed.map((code) => `\`${code}\`: ${ERROR_CODES[code].means}`).join("; "),
        content: { "application/json": { schema: errorSchema(listed as [RequestErrorCode, ...RequestErrorCode[]]) } },
      },
    ]),
  ) as Partial<Record<ErrorStatus, { description: string; content: { "application/json": { schema: z.ZodType } } }>>;
}

/** A JSON answer, documented loosely: its shape is the feature's (named in `description`). */
export function jsonResponse(description: string, schema: z.ZodType = z.looseObject({})) {
  return { description, content: { "application/json": { schema } } };
}

const itemCodes = errorCodes.filter((code) => ERROR_CODES[code].where !== "request") as [
  ItemErrorCode,
  ...ItemErrorCode[],
];

/** One refused item of a batch (http/judge.ts), its id field named `idKey`. */
function rejectionOf<K extends "uuid" | "report_uuid">(idKey: K, id: string) {
  return z
    .object({
      index: z.number().int().describe("the item's position in the request"),
      [idKey]: z.string().optional().describe("the item's id, when it claims a well-formed one"),
      error: z.enum(itemCodes),
      field: z.string().optional().describe("the field at fault (`properties.<name>` for a property)"),
      message: z.string(),
    })
    .meta({ id });
}

/** A refused event (`uuid`) and a refused usage report (`report_uuid`), documented once each. */
export const eventRejectionSchema = rejectionOf("uuid", "EventRejection");
export const reportRejectionSchema = rejectionOf("report_uuid", "ReportRejection");

/** The note of a route whose body is read under caps and validated by the route itself. */
export const READ_BY_HAND =
  "The body is read under MAX_BODY_BYTES (and MAX_DECOMPRESSED_BYTES once inflated, for Content-Encoding gzip or deflate) and validated by the route (a batch item by item); the schema here documents it.";
