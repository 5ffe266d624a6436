import { Hono } from "hono";
import {
  groupForSend,
  MAX_MESSAGE_BYTES,
  type SizedMessage,
  V8_BYTES_PER_JSON_BYTE,
} from "../../../src/lib/queue-send";

interface Env {
  EVENTS_QUEUE: Queue;
}

/**
 * The enqueue-only baseline: the floor any collector pays that answers only once a batch is
 * durable. It reads and parses the body, packs its events into Queue messages with edgehog's
 * limits (120 KB messages, sendBatch calls of 100 messages and 250 KB) and envelope, sends
 * them as values ("v8", as edgehog does), and answers 202; its consumer only acknowledges. No
 * validation, no limits, no storage. Values are its cheaper way in the ingest scenario: 932.5
 * req/s there, 732.5 sending JSON text (one run each; docs/PERFORMANCE.md, "Queue messages as
 * values"). Its events are packed by their share of the body's JSON, doubled: a message's V8
 * form is at most twice its JSON (src/lib/queue-send.ts).
 */
const app = new Hono<{ Bindings: Env }>();

app.get("/healthz", (c) => c.json({ ok: true }));

app.post("/v1/events", async (c) => {
  const text = await c.req.text();
  const batch = JSON.parse(text) as { app: string; events: unknown[] };
  const receivedAt = Date.now();
  // Each event's share of the body, as the bound edgehog packs by (it sizes each event).
  const eventBytes = V8_BYTES_PER_JSON_BYTE * (Math.ceil(text.length / Math.max(1, batch.events.length)) + 1);
  const messages: SizedMessage<{ events: unknown[] } & Record<string, unknown>>[] = [];
  let current: (typeof messages)[number] | undefined;
  for (const event of batch.events) {
    if (!current || current.bytes + eventBytes > MAX_MESSAGE_BYTES) {
      current = {
        body: {
          v: 1,
          batch_id: crypto.randomUUID(),
          app: batch.app,
          received_at: receivedAt,
          country: null,
          tenant_id: null,
          events: [],
          rejections: {},
          dropped_properties: {},
        },
        bytes: V8_BYTES_PER_JSON_BYTE * 400,
      };
      messages.push(current);
    }
    current.body.events.push(event);
    current.bytes += eventBytes;
  }
  try {
    await Promise.all(
      groupForSend(messages).map((group) =>
        c.env.EVENTS_QUEUE.sendBatch(group.map((message) => ({ body: message.body, contentType: "v8" }))),
      ),
    );
  } catch {
    return c.json({ error: "storage_unavailable" }, 503);
  }
  return c.json({ accepted: batch.events.length }, 202);
});

export default {
  fetch: app.fetch,
  queue: async (batch: MessageBatch<unknown>) => batch.ackAll(),
} satisfies ExportedHandler<Env>;
