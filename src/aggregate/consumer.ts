import { archiveDelivery } from "../archive/writer";
import { parkOrRetry } from "../deadletters/consumer";
import { enqueueStored } from "../forward/enqueue";
import { ingestLimitsOf } from "../ingest/limits";
import { type BatchMessage, parseBatchMessage } from "../ingest/queue-message";
import { retryDelaySeconds } from "../lib/backoff";
import { eventDatabases } from "../lib/event-databases";
import { DAY_MS } from "../lib/time";
import { planDelivery } from "./plan";
import { rawEventDebugDaysOf } from "./retention";
import { forgottenOf, storeShard } from "./statements";

/**
 * The Queue consumer. A delivery is stored with one D1 transaction per event database
 * (aggregates, dedupe keys, per-request counters) while its events are archived to R2; once
 * both are done, its events of apps forwarded to an upstream PostHog go to the forward queue
 * (src/forward/enqueue.ts), and then it is acknowledged. If any of it fails, each message is
 * tried on its own, so one poison message is
 * retried without holding back the others. A message that fails waits longer each time
 * (lib/backoff.ts: 10 s doubling to an hour, `max_retries = 100`, about 92 hours in all), so a
 * D1 or R2 outage of a day loses nothing; what still fails then is dead-lettered and parked.
 * Trying again is harmless: the transactions add only what is new, the archive overwrites.
 */
export async function consumeBatches(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const valid: { message: Message<unknown>; body: BatchMessage }[] = [];
  const malformed: Message<unknown>[] = [];
  for (const message of batch.messages) {
    const parsed = parseBatchMessage(message.body);
    if (parsed.success) {
      valid.push({ message, body: parsed.data });
    } else {
      // It can never be stored as it is: park it at once for a person to look at.
      console.error("malformed queue message", message.id, parsed.error.issues[0]?.message);
      malformed.push(message);
    }
  }
  if (malformed.length > 0) await parkOrRetry(env.DB, batch.queue, malformed);
  if (valid.length === 0) return;

  try {
    await storeDelivery(
      env,
      valid.map((v) => v.body),
    );
    for (const { message } of valid) message.ack();
    return;
  } catch (err) {
    if (valid.length === 1) {
      retryLater(valid[0]?.message, err);
      return;
    }
    console.error("storing a delivery failed; retrying its messages one by one", err);
  }

  for (const { message, body } of valid) {
    try {
      await storeDelivery(env, [body]);
      message.ack();
    } catch (err) {
      retryLater(message, err);
    }
  }
}

/** What storing a delivery did, for the bench's consumer scenario. */
export interface StoredDelivery {
  events: number;
  objects: number;
  archivedBytes: number;
  /** Milliseconds from the start until the D1 transactions were done, and until the archive was (they overlap). */
  databaseMs: number;
  archiveMs: number;
  /** Events put on the forward queue (0 unless forwarding is on for the delivery's apps). */
  forwarded: number;
}

/**
 * Stores messages in every event database they touch and archives them, both at once (in
 * production both are network round trips). The transactions report which of the delivery's
 * installs are forgotten: when the archive holds any of their events (an install forgotten
 * while its events were in the queue, rare), its objects are written again without them before
 * the delivery is acknowledged. Then what was stored, without those installs, is handed to
 * forwarding. Throws if any step fails; nothing is acknowledged then.
 */
export async function storeDelivery(env: Env, messages: readonly BatchMessage[]): Promise<StoredDelivery> {
  const started = Date.now();
  const databases = eventDatabases(env);
  const plan = planDelivery(messages, {
    shardCount: databases.all.length,
    shardOf: databases.shardOf,
    windowMs: ingestLimitsOf(env).RAW_EVENT_RETENTION_DAYS * DAY_MS,
    keepRaw: rawEventDebugDaysOf(env) > 0,
  });
  const now = Date.now();
  let databaseMs = 0;
  let archiveMs = 0;
  const [stored, archived] = await Promise.all([
    Promise.all(
      plan.shards.map(async (shard, i) => {
        const counters = i === 0 ? plan.counters : null;
        if (shard.events.length === 0 && (counters?.batchIds.length ?? 0) === 0) return [];
        const db = databases.all[i] as D1Database;
        return forgottenOf(await storeShard(db, shard, counters, now));
      }),
    ).finally(() => {
      databaseMs = Date.now() - started;
    }),
    archiveDelivery(env.ARCHIVE, messages, plan.events, new Set()).finally(() => {
      archiveMs = Date.now() - started;
    }),
  ]);
  const forgotten = new Set(stored.flat());
  let written = archived;
  if ([...forgotten].some((id) => archived.installs.has(id))) {
    written = await archiveDelivery(env.ARCHIVE, messages, plan.events, forgotten);
    const emptied = [...archived.keys].filter((key) => !written.keys.has(key));
    if (emptied.length > 0) await env.ARCHIVE.delete(emptied);
  }
  const forwarded = await enqueueStored(env, plan.events, forgotten);
  return {
    events: plan.events.length,
    objects: written.objects,
    archivedBytes: written.bytes,
    databaseMs,
    archiveMs,
    forwarded,
  };
}

function retryLater(message: Message<unknown> | undefined, err: unknown): void {
  if (!message) return;
  const delaySeconds = retryDelaySeconds(message.attempts);
  console.error(
    `storing queue message ${message.id} failed (attempt ${message.attempts}); retry in ${delaySeconds} s`,
    err,
  );
  message.retry({ delaySeconds });
}
