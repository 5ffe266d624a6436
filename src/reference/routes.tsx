import type { OpenAPIHono } from "@hono/zod-openapi";
import { NONCE, secureHeaders } from "hono/secure-headers";
import { z } from "zod";
import type { AppEnv } from "../http/context";
import { jsonResponse, routesApp } from "../http/openapi";
import { openApiDocument } from "./document";
import { ReferencePage } from "./page";

/**
 * The API's description, public: `GET /openapi.json` (OpenAPI 3.1, generated from the route
 * schemas) and `GET /docs`, the same as a page rendered here (no script, no CDN; a CSP that
 * allows nothing but the page's own nonce'd stylesheet, like the dashboard's). The app described
 * is the whole one, every part loaded, that `describe` resolves (app.ts); the reference is a part
 * itself, loaded by the first request for it.
 */

// biome-ignore lint/suspicious/noExplicitAny: the app described may have any environment
export function referenceRoutes(describe: () => Promise<OpenAPIHono<any, any, any>>) {
  const reference = routesApp<AppEnv & { Variables: { secureHeadersNonce?: string } }>();
  reference.get("/openapi.json", async (c) => {
    const document = openApiDocument(await describe());
    c.header("Cache-Control", "public, max-age=300");
    return c.json(document);
  });
  reference.get(
    "/docs",
    secureHeaders({
      contentSecurityPolicy: {
        defaultSrc: ["'none'"],
        styleSrc: [NONCE],
        imgSrc: ["data:"],
        formAction: ["'none'"],
        frameAncestors: ["'none'"],
        baseUri: ["'none'"],
      },
      xFrameOptions: "DENY",
    }),
    async (c) => {
      const document = openApiDocument(await describe());
      return c.html(<ReferencePage document={document} nonce={c.get("secureHeadersNonce") ?? ""} />);
    },
  );
  const text = (type: string, description: string) => ({ description, content: { [type]: { schema: z.string() } } });
  reference.openAPIRegistry.registerPath({
    method: "get",
    path: "/openapi.json",
    tags: ["reference"],
    summary: "This description (OpenAPI 3.1)",
    responses: { 200: jsonResponse("the OpenAPI document") },
  });
  reference.openAPIRegistry.registerPath({
    method: "get",
    path: "/docs",
    tags: ["reference"],
    summary: "This description as a page",
    responses: { 200: text("text/html", "the API reference") },
  });
  return reference;
}
