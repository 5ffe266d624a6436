import { env } from "cloudflare:workers";
import type { QueuedBatch } from "../../src/ingest/queue-message";

/** A Queue that records the bodies sent to it (to deliver them to the consumer later) and passes them on. */
export function recordingQueue(real: Queue = env.EVENTS_QUEUE): { queue: Queue<QueuedBatch>; bodies: QueuedBatch[] } {
  const bodies: QueuedBatch[] = [];
  const queue: Queue<QueuedBatch> = {
    send: (body, options) => {
      bodies.push(body);
      return real.send(body, options);
    },
    sendBatch: (messages, options) => {
      for (const message of messages) bodies.push(message.body);
      return real.sendBatch(messages, options);
    },
    metrics: () => real.metrics(),
  };
  return { queue, bodies };
}
