import { app } from "./app";

/**
 * The Worker: HTTP (the Hono app), the Queue consumers, the cron, and the rate limiter's Durable
 * Object. A cold start loads the app's doors for events and what they import; each consumer and
 * the cron are modules of their own (the build splits every `import()`: scripts/build-worker.mjs),
 * loaded by the first delivery or run that needs them.
 */
export { RateLimiterShard } from "./ratelimit/durable-object";

type Consume = (batch: MessageBatch<unknown>, env: Env) => Promise<void>;

/** Each queue this Worker consumes (wrangler.toml `[[queues.consumers]]`), by name: its consumer's module. */
const consumers: Record<string, () => Promise<Consume>> = {
  "edgehog-events": async () => (await import("./aggregate/consumer")).consumeBatches,
  "edgehog-events-dlq": async () => (await import("./deadletters/consumer")).parkDeadLetters,
  "edgehog-forward": async () => (await import("./forward/consumer")).consumeForward,
  "edgehog-forward-dlq": async () => (await import("./deadletters/consumer")).parkDeadLetters,
  "edgehog-webhooks": async () => (await import("./billing/webhooks/consumer")).consumeWebhooks,
  "edgehog-webhooks-dlq": async () => (await import("./deadletters/consumer")).parkDeadLetters,
};

export default {
  fetch: app.fetch,
  queue: async (batch, env) => {
    const consumer = consumers[batch.queue];
    if (!consumer) throw new Error(`no consumer for queue "${batch.queue}"`);
    const consume = await consumer();
    await consume(batch, env);
  },
  scheduled: async (controller, env) => (await import("./scheduled")).runScheduled(controller, env),
} satisfies ExportedHandler<Env, unknown>;
