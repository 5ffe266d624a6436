import { Hono } from "hono";
import type { AppEnv } from "../http/context";
import { publishedCatalogue } from "./published";

/** `GET /v1/catalog`: the public "what we collect" page, in JSON. */
export const catalogRoutes = new Hono<AppEnv>().get("/", (c) => {
  c.header("Cache-Control", "public, max-age=300");
  return c.json(publishedCatalogue);
});
