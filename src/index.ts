import { consumeBatches } from "./aggregate/consumer";
import { app } from "./app";
import { consumeWebhooks } from "./billing/webhooks/consumer";
import { parkDeadLetters } from "./deadletters/consumer";
import { consumeForward } from "./forward/consumer";
import { runScheduled } from "./scheduled";

/** The Worker: HTTP (the Hono app), the Queue consumers, the cron, and the rate limiter's Durable Object. */
export { RateLimiterShard } from "./ratelimit/durable-object";

/** Each queue this Worker consumes (wrangler.toml `[[queues.consumers]]`), by name. */
const consumers: Record<string, (batch: MessageBatch<unknown>, env: Env) => Promise<void>> = {
  "edgehog-events": consumeBatches,
  "edgehog-events-dlq": parkDeadLetters,
  "edgehog-forward": (batch, env) => consumeForward(batch, env),
  "edgehog-forward-dlq": parkDeadLetters,
  "edgehog-webhooks": (batch, env) => consumeWebhooks(batch, env),
  "edgehog-webhooks-dlq": parkDeadLetters,
};

export default {
  fetch: app.fetch,
  queue: async (batch, env) => {
    const consume = consumers[batch.queue];
    if (!consume) throw new Error(`no consumer for queue "${batch.queue}"`);
    await consume(batch, env);
  },
  scheduled: (controller, env) => runScheduled(controller, env),
} satisfies ExportedHandler<Env, unknown>;
