import { chunkBySize, groupForSend, MAX_MESSAGE_BYTES } from "../lib/queue-send";
import { forwardingOf } from "./config";
import type { ForwardedEvent, ForwardMessage } from "./message";
import { addCounts } from "./store";

/**
 * The producer side of forwarding: once the ingest core has made a batch durable on the
 * events queue, its events of a forwarded app are put on the forward queue. How ingestion is
 * kept from waiting for any of it, or failing because of it:
 * - the hook runs only after the events queue accepted the batch, and returns at once: the
 *   send is handed to `waitUntil` and never awaited by the request;
 * - everything it does is inside a try/catch or a `.catch`: a queue that refuses, hangs or is
 *   missing, or a malformed configuration, is logged and counted (`not_queued`), never thrown.
 */

/** The events a front door's batch made durable (the ingest core's `DurableEvents`). */
export interface DurableBatch {
  app: string;
  events: readonly ForwardedEvent[];
  eventBytes: readonly number[];
}

/** The ingest core's after-durable hook for one request. */
export function forwardAfterDurable(env: Env, waitUntil: (promise: Promise<unknown>) => void) {
  return (batch: DurableBatch): void => {
    try {
      const forwarding = forwardingOf(env);
      if (!forwarding?.keyFor(batch.app)) return;
      waitUntil(
        enqueueForward(env.FORWARD_QUEUE, batch).catch((err) => notQueued(env, batch, "the forward queue failed", err)),
      );
    } catch (err) {
      waitUntil(notQueued(env, batch, "forwarding is misconfigured", err));
    }
  };
}

/** Envelope fields of a forward message, generously rounded up. */
const ENVELOPE_BYTES = 200;

/** Sends a batch's events to the forward queue, in as few messages as the Queues limits allow. */
export async function enqueueForward(queue: Queue<ForwardMessage>, batch: DurableBatch): Promise<void> {
  const sized = batch.events.map(({ uuid, event, distinct_id, timestamp, properties }, i) => ({
    event: { uuid, event, distinct_id, timestamp, properties },
    bytes: (batch.eventBytes[i] ?? MAX_MESSAGE_BYTES) + 1,
  }));
  const messages = chunkBySize(sized, (item) => item.bytes, MAX_MESSAGE_BYTES - ENVELOPE_BYTES).map((chunk) => ({
    body: { v: 1 as const, app: batch.app, events: chunk.map((item) => item.event) },
    bytes: chunk.reduce((n, item) => n + item.bytes, ENVELOPE_BYTES),
  }));
  await Promise.all(
    groupForSend(messages).map((group) =>
      queue.sendBatch(group.map((message) => ({ body: message.body, contentType: "json" }))),
    ),
  );
}

/** Logs and counts events that will not be forwarded; never throws. */
async function notQueued(env: Env, batch: DurableBatch, why: string, err: unknown): Promise<void> {
  console.error(`${why}: ${batch.events.length} accepted events of ${batch.app} will not be forwarded`, err);
  await addCounts(env.DB, batch.app, Date.now(), { notQueued: batch.events.length }).catch((countErr) =>
    console.error("counting events not forwarded failed", countErr),
  );
}
