import { consumeBatches } from "./aggregate/consumer";
import { app } from "./app";
import { runScheduled } from "./scheduled";

/** The Worker: HTTP (the Hono app), the Queue consumer, the cron, and the rate limiter's Durable Object. */
export { RateLimiterShard } from "./ratelimit/durable-object";

export default {
  fetch: app.fetch,
  queue: (batch, env) => consumeBatches(batch, env),
  scheduled: (controller, env) => runScheduled(controller, env),
} satisfies ExportedHandler<Env, unknown>;
