import { parkOrRetry } from "../deadletters/consumer";
import { type BatchMessage, batchMessageSchema } from "../ingest/queue-message";
import { retryDelaySeconds } from "../lib/backoff";
import { deliveryStatements } from "./statements";

/**
 * The Queue consumer: stores a whole delivery (raw events, aggregates, counters) in one D1
 * transaction. If that fails, each message is tried on its own, so one poison message is
 * retried without holding back the others. A message that fails waits longer each time
 * (lib/backoff.ts: 10 s doubling to an hour, `max_retries = 100`, about 92 hours in all), so a
 * D1 outage of a day loses nothing; what still fails then is dead-lettered and parked.
 */
export async function consumeBatches(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const valid: { message: Message<unknown>; body: BatchMessage }[] = [];
  const malformed: Message<unknown>[] = [];
  for (const message of batch.messages) {
    const parsed = batchMessageSchema.safeParse(message.body);
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
    await env.DB.batch(
      deliveryStatements(
        env.DB,
        valid.map((v) => v.body),
        Date.now(),
      ),
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
      await env.DB.batch(deliveryStatements(env.DB, [body], Date.now()));
      message.ack();
    } catch (err) {
      retryLater(message, err);
    }
  }
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
