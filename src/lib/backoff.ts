import { HOUR_MS, SECOND_MS } from "./time";

/**
 * How long a queue message that failed waits before its next delivery: 10 s, doubling with
 * each attempt, at most an hour. With a consumer's `max_retries = 100` a message is retried for
 * about 92 hours before it is dead-lettered, so a backend outage of a day or more loses nothing.
 */
export const FIRST_RETRY_SECONDS = 10;
export const MAX_RETRY_SECONDS = HOUR_MS / SECOND_MS;

/** The delay after delivery number `attempts` (1 for the first delivery) failed. */
export function retryDelaySeconds(attempts: number): number {
  const exponent = Math.max(0, Math.min(attempts - 1, 20));
  return Math.min(MAX_RETRY_SECONDS, FIRST_RETRY_SECONDS * 2 ** exponent);
}

/** Every consumer's `max_retries` in wrangler.toml: deliveries after the first before a message is dead-lettered. */
export const MAX_RETRIES = 100;

/**
 * The longest a message waits on one queue before it is stored or dead-lettered: the delays of
 * all its retries (332,710 s, about 92.4 hours). A message may wait this long on the events
 * queue and then, once stored, as long again on the forward queue.
 */
export const LONGEST_QUEUE_WAIT_MS =
  Array.from({ length: MAX_RETRIES }, (_, i) => retryDelaySeconds(i + 1)).reduce((a, b) => a + b, 0) * SECOND_MS;
