import { type BatchMessage, batchMessageSchema } from "../ingest/queue-message";
import { deliveryStatements } from "./statements";

/** Seconds before a message that failed to store is delivered again. */
const RETRY_DELAY_SECONDS = 10;

/**
 * The Queue consumer: stores a whole delivery (raw events, aggregates, counters) in one D1
 * transaction. If that fails, each message is tried on its own, so one poison message is
 * retried (and, after max_retries, dead-lettered) without holding back the others.
 */
export async function consumeBatches(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const valid: { message: Message<unknown>; body: BatchMessage }[] = [];
  for (const message of batch.messages) {
    const parsed = batchMessageSchema.safeParse(message.body);
    if (parsed.success) {
      valid.push({ message, body: parsed.data });
    } else {
      // Never acknowledged: it goes to the dead-letter queue for a person to look at.
      console.error("malformed queue message", message.id, parsed.error.issues[0]?.message);
      message.retry({ delaySeconds: RETRY_DELAY_SECONDS });
    }
  }
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
      console.error("storing a queue message failed", err);
      valid[0]?.message.retry({ delaySeconds: RETRY_DELAY_SECONDS });
      return;
    }
    console.error("storing a delivery failed; retrying its messages one by one", err);
  }

  for (const { message, body } of valid) {
    try {
      await env.DB.batch(deliveryStatements(env.DB, [body], Date.now()));
      message.ack();
    } catch (err) {
      console.error("storing a queue message failed", message.id, err);
      message.retry({ delaySeconds: RETRY_DELAY_SECONDS });
    }
  }
}
