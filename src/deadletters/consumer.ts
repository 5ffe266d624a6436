import { retryDelaySeconds } from "../lib/backoff";
import { type ParkedMessage, parkMessages } from "./store";

/**
 * The dead-letter consumer: a message that still failed after every retry of its queue lands
 * here and is parked in D1, where the stats count it and an operator can re-drive it. If D1 is
 * down too, the delivery is retried with the same growing delays: nothing is acknowledged
 * before it is parked.
 */

/** The queue a dead-letter queue's messages are re-driven to: its name without `-dlq`. */
export function originOf(deadLetterQueue: string): string {
  return deadLetterQueue.replace(/-dlq$/, "");
}

export async function parkDeadLetters(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  await parkOrRetry(env.DB, originOf(batch.queue), batch.messages);
}

/** Parks messages (acknowledging them once D1 has them), or retries them later. */
export async function parkOrRetry(db: D1Database, queue: string, messages: readonly Message<unknown>[]): Promise<void> {
  const now = Date.now();
  const rows: ParkedMessage[] = messages.map((message) => ({
    id: message.id,
    queue,
    body: JSON.stringify(message.body),
    attempts: message.attempts,
    parked_at: now,
  }));
  try {
    await parkMessages(db, rows);
  } catch (err) {
    console.error(`parking ${messages.length} dead letters of ${queue} failed; retrying them later`, err);
    for (const message of messages) message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
    return;
  }
  for (const message of messages) message.ack();
  console.error(`parked ${messages.length} messages of ${queue}: re-drive them with npm run redrive once fixed`);
}
