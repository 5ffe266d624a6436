import { Hono } from "hono";
import { cors } from "hono/cors";
import type { AppEnv } from "./env";
import { ApiError } from "./http/errors";
import { billingRoutes } from "./routes/billing";
import { catalogRoutes } from "./routes/catalog";
import { eventsRoutes } from "./routes/events";
import { healthRoutes } from "./routes/health";
import { statsRoutes } from "./routes/stats";
import { usageRoutes } from "./routes/usage";

/** The HTTP surface: middleware and route mounting, nothing else. */
export const app = new Hono<AppEnv>();

// Browsers (web UIs) post events cross-origin; no cookies are involved, so any origin may.
app.use("/v1/events", cors({ origin: "*", allowMethods: ["POST", "OPTIONS"], maxAge: 86_400 }));
app.use("/v1/catalog", cors({ origin: "*", allowMethods: ["GET"] }));

app.route("/healthz", healthRoutes);
app.route("/v1/catalog", catalogRoutes);
app.route("/v1/events", eventsRoutes);
app.route("/v1/stats", statsRoutes);
app.route("/v1/usage", usageRoutes);
app.route("/v1/billing", billingRoutes);

app.notFound((c) => c.json({ error: "not_found", message: `no route for ${c.req.method} ${c.req.path}` }, 404));

app.onError((err, c) => {
  if (err instanceof ApiError) {
    for (const [name, value] of Object.entries(err.headers)) c.header(name, value);
    return c.json(err.toBody(), err.status);
  }
  console.error("unhandled error", err);
  return c.json({ error: "internal_error", message: "an unexpected error occurred" }, 500);
});
