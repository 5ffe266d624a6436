import { chunkBySize, groupForSend, MAX_MESSAGE_BYTES } from "../lib/queue-send";
import { forwardingOf } from "./config";
import type { ForwardedEvent, ForwardMessage } from "./message";
import { addCounts } from "./store";

/**
 * The producer side of forwarding: the events consumer, once it has stored a delivery (its D1
 * transactions committed, its archive objects written), puts the delivery's events of
 * forwarded apps on the forward queue. Only what was stored goes: an event refused at the door
 * never reached the events queue, and the events of installs the transactions found forgotten
 * are left out. Ingestion never waits for any of it: the client's answer came when the events
 * queue took the batch. A forward queue that refuses throws, and the consumer retries the whole
 * delivery (storing it again adds nothing; the ledger forwards each event once), so no stored
 * event misses the forward queue. With forwarding off, or for an app it does not name, this
 * costs the consumer one lookup per message.
 */

/** The events of one app, each with its size as JSON (bytes), ready to be packed into messages. */
export interface ForwardBatch {
  app: string;
  events: readonly ForwardedEvent[];
  eventBytes: readonly number[];
}

/** A stored event and the app of the message that carried it (the consumer's plan). */
export interface StoredForForwarding {
  message: { app: string };
  event: ForwardedEvent;
}

const utf8 = new TextEncoder();

/**
 * Puts the stored events of forwarded apps on the forward queue, leaving out `forgotten`
 * installs. Returns how many events were queued. Throws if the queue refused any of them.
 * A malformed configuration is logged and counted (`not_queued`): it never fails storing.
 */
export async function enqueueStored(
  env: Env,
  stored: readonly StoredForForwarding[],
  forgotten: ReadonlySet<string>,
): Promise<number> {
  let forwarding: ReturnType<typeof forwardingOf>;
  try {
    forwarding = forwardingOf(env);
  } catch (err) {
    const apps = new Map<string, number>();
    for (const { message } of stored) apps.set(message.app, (apps.get(message.app) ?? 0) + 1);
    for (const [app, n] of apps) await notQueued(env, app, n, "forwarding is misconfigured", err);
    return 0;
  }
  if (!forwarding) return 0;
  const byApp = new Map<string, { app: string; events: ForwardedEvent[]; eventBytes: number[] }>();
  let lastApp: string | undefined;
  let batch: { app: string; events: ForwardedEvent[]; eventBytes: number[] } | undefined;
  for (const { message, event } of stored) {
    if (message.app !== lastApp) {
      lastApp = message.app;
      batch = byApp.get(message.app);
      if (!batch && forwarding.keyFor(message.app)) {
        batch = { app: message.app, events: [], eventBytes: [] };
        byApp.set(message.app, batch);
      }
    }
    if (!batch || forgotten.has(event.distinct_id)) continue;
    const { uuid, event: name, distinct_id, timestamp, properties } = event;
    const forwarded = { uuid, event: name, distinct_id, timestamp, properties };
    batch.events.push(forwarded);
    batch.eventBytes.push(utf8.encode(JSON.stringify(forwarded)).byteLength);
  }
  let queued = 0;
  for (const app of byApp.values()) {
    if (app.events.length === 0) continue;
    await enqueueForward(env.FORWARD_QUEUE, app);
    queued += app.events.length;
  }
  return queued;
}

/** Envelope fields of a forward message, generously rounded up. */
const ENVELOPE_BYTES = 200;

/** Sends a batch's events to the forward queue, in as few messages as the Queues limits allow. */
export async function enqueueForward(queue: Queue<ForwardMessage>, batch: ForwardBatch): Promise<void> {
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

/** Logs and counts stored events that will not be forwarded; never throws. */
async function notQueued(env: Env, app: string, events: number, why: string, err: unknown): Promise<void> {
  console.error(`${why}: ${events} stored events of ${app} will not be forwarded`, err);
  await addCounts(env.DB, app, Date.now(), { notQueued: events }).catch((countErr) =>
    console.error("counting events not forwarded failed", countErr),
  );
}
