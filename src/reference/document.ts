import type { OpenAPIHono } from "@hono/zod-openapi";
import { ERROR_CODES, errorCodes } from "../http/error-codes";

/**
 * The OpenAPI 3.1 description of the collector, generated from the route schemas the app was
 * built with (each route's own, registered where the route is) once per isolate, on the first
 * request that asks for it: nothing is computed at start-up. The error codes are listed from
 * their one source (http/error-codes.ts).
 */

// biome-ignore lint/suspicious/noExplicitAny: the app's environment does not matter to its description
type AnyApp = OpenAPIHono<any, any, any>;
export type OpenApiDocument = ReturnType<AnyApp["getOpenAPI31Document"]>;

/** The error codes as a Markdown table: code, status, where it is used, what it means. */
export function errorCodeTable(): string {
  const rows = errorCodes.map((code) => {
    const { status, where, means } = ERROR_CODES[code];
    return `| \`${code}\` | ${status} | ${where} | ${means} |`;
  });
  return ["| code | status | where | means |", "| --- | --- | --- | --- |", ...rows].join("\n");
}

const DESCRIPTION = `A privacy-first product-metrics collector: anonymized usage events from client apps, usage
reports from tenants' servers, and the operator's API. Every error is \`{ "error": code, "message": text }\`
with the status of its code; a refused item of a batch is \`{ index, <id>, error, field?, message }\`.
A storage failure is \`503 storage_unavailable\` with Retry-After: send the request again.

## Error codes

${errorCodeTable()}`;

const documents = new WeakMap<object, OpenApiDocument>();

/** The document of `app`, generated once. */
export function openApiDocument(app: AnyApp): OpenApiDocument {
  const cached = documents.get(app);
  if (cached) return cached;
  const document = app.getOpenAPI31Document({
    openapi: "3.1.0",
    info: { title: "edgehog", version: "1", description: DESCRIPTION },
  });
  document.components = {
    ...document.components,
    securitySchemes: {
      operatorToken: { type: "http", scheme: "bearer", description: "ADMIN_TOKEN: the operator API" },
      tenantToken: { type: "http", scheme: "bearer", description: "a tenant token, ehk_…" },
    },
  };
  documents.set(app, document);
  return document;
}
