import { parkOrRetry } from "../deadletters/consumer";
import { MAX_RETRY_SECONDS, retryDelaySeconds } from "../lib/backoff";
import { eventDatabases } from "../lib/event-databases";
import { forgottenAmong } from "../lib/forgotten";
import { forwardingOf } from "./config";
import { type ForwardedEvent, type ForwardMessage, forwardMessageSchema } from "./message";
import { addCounts, alreadyForwarded, recordForwarded } from "./store";
import { type PostOutcome, postBatch } from "./upstream";

/**
 * The forward queue's consumer: posts each app's events to the upstream PostHog, skipping
 * uuids it already forwarded and the events of installs forgotten since they were stored (the
 * tombstones are read again at send time, so a forget stops whatever of the install is still
 * queued, retried or re-driven), and records the forwarded ones in the same D1 transaction as
 * the counters. A post that fails with a retryable answer (408, 429, 5xx, no answer) retries the
 * app's messages with growing delays (lib/backoff.ts, at least the upstream's Retry-After);
 * after `max_retries` they go to `edgehog-forward-dlq` and are parked. A post refused for
 * good (another 4xx), a message that is malformed, or an app no longer forwarded is parked at
 * once. Parked messages are re-driven with `npm run redrive -- --queue edgehog-forward`.
 */

/** Events per upstream post: far below PostHog's 20 MB body limit. */
export const MAX_EVENTS_PER_POST = 500;

interface Delivery {
  message: Message<unknown>;
  body: ForwardMessage;
}

export async function consumeForward(batch: MessageBatch<unknown>, env: Env, send: typeof fetch = fetch) {
  const byApp = new Map<string, Delivery[]>();
  const malformed: Message<unknown>[] = [];
  for (const message of batch.messages) {
    const parsed = forwardMessageSchema.safeParse(message.body);
    if (!parsed.success) {
      console.error("malformed forward message", message.id, parsed.error.issues[0]?.message);
      malformed.push(message);
      continue;
    }
    const deliveries = byApp.get(parsed.data.app) ?? [];
    deliveries.push({ message, body: parsed.data });
    byApp.set(parsed.data.app, deliveries);
  }
  if (malformed.length > 0) await parkOrRetry(env.DB, batch.queue, malformed);

  let forwarding: ReturnType<typeof forwardingOf>;
  try {
    forwarding = forwardingOf(env);
  } catch (err) {
    console.error("forwarding is misconfigured; retrying later", err);
    for (const deliveries of byApp.values()) retryLater(deliveries, undefined);
    return;
  }
  for (const [app, deliveries] of byApp) {
    const apiKey = forwarding?.keyFor(app);
    if (!forwarding || !apiKey) {
      console.error(`forwarding is off for ${app}: parking ${deliveries.length} messages`);
      await parkOrRetry(
        env.DB,
        batch.queue,
        deliveries.map((d) => d.message),
      );
      continue;
    }
    const outcome = await forwardApp(env, send, forwarding.url, apiKey, app, deliveries);
    if (outcome.ok) {
      for (const { message } of deliveries) message.ack();
    } else if (outcome.retry) {
      retryLater(deliveries, outcome.retryAfterSeconds);
    } else {
      console.error(`the upstream refused ${app}'s events (${outcome.reason}): parking them`);
      await parkOrRetry(
        env.DB,
        batch.queue,
        deliveries.map((d) => d.message),
      );
    }
  }
}

/**
 * Posts the app's events not yet forwarded and not of a forgotten install, in chunks,
 * recording each chunk the upstream took.
 */
async function forwardApp(
  env: Env,
  send: typeof fetch,
  url: string,
  apiKey: string,
  app: string,
  deliveries: readonly Delivery[],
): Promise<PostOutcome> {
  const unique = new Map<string, ForwardedEvent>();
  for (const { body } of deliveries)
    for (const event of body.events) if (!unique.has(event.uuid)) unique.set(event.uuid, event);
  const total = deliveries.reduce((n, d) => n + d.body.events.length, 0);

  const db = env.DB;
  let pending: ForwardedEvent[];
  let forgotten = 0;
  try {
    const done = await alreadyForwarded(db, [...unique.keys()]);
    const unsent = [...unique.values()].filter((event) => !done.has(event.uuid));
    const tombstones = await forgottenAmong(
      eventDatabases(env),
      unsent.map((event) => event.distinct_id),
    );
    pending = unsent.filter((event) => !tombstones.has(event.distinct_id));
    forgotten = unsent.length - pending.length;
  } catch (err) {
    console.error("reading the forwarded-event ledger or the tombstones failed", err);
    return { ok: false, retry: true, reason: "D1 unavailable" };
  }
  let duplicates = total - pending.length - forgotten;
  if (pending.length === 0) {
    await addCounts(db, app, Date.now(), { duplicates, forgotten }).catch((err) =>
      console.error("counting failed", err),
    );
    return { ok: true };
  }

  for (let start = 0; start < pending.length; start += MAX_EVENTS_PER_POST) {
    const chunk = pending.slice(start, start + MAX_EVENTS_PER_POST);
    const outcome = await postBatch(send, url, apiKey, chunk);
    if (!outcome.ok) {
      await addCounts(db, app, Date.now(), { failedPosts: 1, failure: outcome.reason }).catch((err) =>
        console.error("counting a failed post failed", err),
      );
      return outcome;
    }
    try {
      await recordForwarded(
        db,
        app,
        chunk.map((event) => event.uuid),
        Date.now(),
        { forwarded: chunk.length, duplicates, forgotten },
      );
      duplicates = 0;
      forgotten = 0;
    } catch (err) {
      // The upstream has them but the ledger does not: the retry posts them again, identical
      // (same uuid, event, distinct_id and timestamp), which PostHog's own dedupe absorbs.
      console.error("recording forwarded events failed", err);
      return { ok: false, retry: true, reason: "D1 unavailable" };
    }
  }
  return { ok: true };
}

function retryLater(deliveries: readonly Delivery[], retryAfterSeconds: number | undefined): void {
  const floor = Math.min(retryAfterSeconds ?? 0, MAX_RETRY_SECONDS);
  const delays = deliveries.map(({ message }) => Math.max(retryDelaySeconds(message.attempts), floor));
  deliveries.forEach(({ message }, i) => {
    message.retry({ delaySeconds: delays[i] });
  });
  const app = deliveries[0]?.body.app;
  console.error(
    `forwarding ${deliveries.length} messages of ${app} failed; retrying in ${Math.min(...delays)} s or more`,
  );
}
