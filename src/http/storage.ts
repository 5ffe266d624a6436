import { createMiddleware } from "hono/factory";
import { guardStorage } from "../lib/storage-guard";
import type { AppEnv } from "./context";

/**
 * The one rule for storage failures, applied to every request before any route: the request's
 * bindings are the guarded ones (lib/storage-guard.ts), so a D1, Queue or R2 call that fails
 * anywhere in a route is answered `503 storage_unavailable` with Retry-After (errors.ts), by
 * every route alike, without a catch of its own.
 */
export const guardedStorage = createMiddleware<AppEnv>(async (c, next) => {
  c.env = guardStorage(c.env);
  await next();
});
