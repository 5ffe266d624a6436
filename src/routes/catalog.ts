import { Hono } from "hono";
import { publishedCatalogue } from "../catalog/published";
import type { AppEnv } from "../env";

/** The public "what we collect" page, in JSON. */
export const catalogRoutes = new Hono<AppEnv>().get("/", (c) => {
  c.header("Cache-Control", "public, max-age=300");
  return c.json(publishedCatalogue);
});
