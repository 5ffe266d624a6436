import { Hono } from "hono";
import type { AppEnv } from "../env";

/** Liveness: the Worker runs. It touches no binding, so it stays cheap to poll. */
export const healthRoutes = new Hono<AppEnv>().get("/", (c) => c.json({ ok: true }));
