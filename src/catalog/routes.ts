import { createRoute } from "@hono/zod-openapi";
import type { AppEnv } from "../http/context";
import { publicCors } from "../http/cors";
import { jsonResponse, routesApp } from "../http/openapi";
import { publishedCatalogue } from "./published";

/** `GET /v1/catalog`: the public "what we collect" page, in JSON, readable from any origin. */
export const catalogRoutes = routesApp<AppEnv>();

catalogRoutes.use(publicCors("GET"));
catalogRoutes.openapi(
  createRoute({
    method: "get",
    path: "/",
    tags: ["catalogue"],
    summary: "The event catalogue: every app, event and property with its privacy class",
    responses: { 200: jsonResponse("the catalogue (cached 5 minutes)") },
  }),
  (c) => {
    c.header("Cache-Control", "public, max-age=300");
    return c.json(publishedCatalogue, 200);
  },
);
