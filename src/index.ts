import { app } from "./app";
import type { Env } from "./env";
import { consumeBatches } from "./pipeline/consumer";
import { runScheduled } from "./pipeline/scheduled";

export { RateLimiterShard } from "./ratelimit/durable-object";

export default {
  fetch: app.fetch,
  queue: (batch, env) => consumeBatches(batch, env),
  scheduled: (controller, env) => runScheduled(controller, env),
} satisfies ExportedHandler<Env, unknown>;
