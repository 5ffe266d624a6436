import { Hono } from "hono";
import { storeDelivery } from "../../../src/aggregate/consumer";
import { type ArchivedEvent, gzipLines } from "../../../src/archive/objects";
import { encodeParquet } from "../../../src/archive/parquet";
import type { BatchMessage, StoredEvent } from "../../../src/ingest/queue-message";
import { toBase64, toHex } from "../../../src/lib/bytes";
import { DAY_MS, SECOND_MS } from "../../../src/lib/time";

/**
 * The consumer alone: `POST /replay` builds one Queue delivery (100 messages of 100 events) and
 * stores it with edgehog's own `storeDelivery` (D1 transaction, R2 archive), timing it inside
 * the Worker; `POST /prefill` first fills D1 as if it already held N events. No HTTP ingest, no
 * queue: only what the consumer does per delivery.
 *
 * The deliveries model a stream of 1,000 events/s (86 M a day, past one database's capacity)
 * whose clients send their own queued events every minute: delivery k holds the 10 s of
 * arrivals after k × 10 s, each message one client's request (one install of 50,000, 100
 * events timestamped up to a minute before it arrived), one message in 50 a client back from
 * days offline (its events up to 30 days old). Everything is drawn from a seed, so replaying
 * round k rebuilds the same delivery: every event is then already stored. `POST /archive-formats`
 * encodes one delivery's events both ways the archive has known, alternating (Parquet as the
 * consumer writes it now, gzipped NDJSON as it did), for their bytes and time per delivery.
 */

interface Env {
  DB: D1Database;
  ARCHIVE: R2Bucket;
}

const INSTALLS = 50_000;
const PER_MESSAGE = 100;
const STREAM_START = Date.parse("2026-11-20T08:00:00Z");
const DELIVERY_SPAN_MS = 10 * SECOND_MS;

/** xorshift32: a small seeded generator, so a delivery can be rebuilt exactly. */
function generator(seed: number) {
  let state = seed >>> 0 || 0x9e3779b9;
  const next = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return state >>> 0;
  };
  const bytes = (n: number) => Uint8Array.from({ length: n }, () => next() & 0xff);
  const uuid = () => {
    const b = bytes(16);
    b[6] = ((b[6] as number) & 0x0f) | 0x40;
    b[8] = ((b[8] as number) & 0x3f) | 0x80;
    const hex = toHex(b);
    return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
  };
  return { next, uuid, digest: () => toBase64(bytes(32)), below: (n: number) => next() % n };
}

const installIds = (() => {
  const random = generator(7);
  return Array.from({ length: INSTALLS }, () => random.uuid());
})();
const clusters = (() => {
  const random = generator(11);
  return Array.from({ length: 40 }, () => random.digest());
})();

function delivery(round: number, events: number): BatchMessage[] {
  const random = generator(1_000_003 + round);
  const arrivedFrom = STREAM_START + round * DELIVERY_SPAN_MS;
  const messages: BatchMessage[] = [];
  for (let m = 0; m * PER_MESSAGE < events; m++) {
    const receivedAt = arrivedFrom + Math.floor((m * PER_MESSAGE * DELIVERY_SPAN_MS) / events);
    const install = installIds[random.below(INSTALLS)] as string;
    const late = random.below(50) === 0;
    const list: StoredEvent[] = [];
    for (let i = 0; i < PER_MESSAGE && m * PER_MESSAGE + i < events; i++) {
      const timestamp = receivedAt - (late ? random.below(30 * DAY_MS) : random.below(60 * SECOND_MS));
      const version = ["17.0.1", "17.0.2", "16.4.7", "17.1.0-rc.1"][random.below(4)] as string;
      const os = ["darwin", "linux", "win32"][random.below(3)] as string;
      list.push({
        uuid: random.uuid(),
        event: ["connect.protocol.use", "connect.cluster.login", "connect.fileTransfer.run"][random.below(3)] as string,
        distinct_id: install,
        timestamp,
        client_timestamp: timestamp,
        app_version: version,
        os,
        properties: {
          cluster_name: clusters[random.below(clusters.length)] as string,
          user_name: random.digest(),
          protocol: "ssh",
          app_version: version,
          os,
        },
      });
    }
    messages.push({
      v: 1,
      batch_id: `bench-${round}-${m}`,
      app: "teleport-connect",
      received_at: receivedAt,
      country: "DE",
      tenant_id: null,
      events: list,
      rejections: {},
      dropped_properties: {},
    });
  }
  return messages;
}

const app = new Hono<{ Bindings: Env }>();

app.get("/healthz", (c) => c.json({ ok: true }));

// As if `events` events had been stored in the hours before the stream (their dedupe packs of
// 100 uuids, from the stream's installs, most of the day's installs, their counts).
app.post("/prefill", async (c) => {
  const events = Number(c.req.query("events") ?? 0);
  const started = Date.now();
  const packs = Math.ceil(events / PER_MESSAGE);
  const from = (STREAM_START - 6 * 3_600_000) / 1000;
  const step = (6 * 3_600) / packs;
  const chunk = 5_000;
  for (let done = 0; done < packs; done += chunk) {
    const n = Math.min(chunk, packs - done);
    await c.env.DB.prepare(
      `WITH RECURSIVE i(n) AS (SELECT 0 UNION ALL SELECT n + 1 FROM i WHERE n < ?1 - 1)
       INSERT INTO event_packs (at_day, distinct_id, first_at, last_at, uuids)
       SELECT CAST(?2 + (?3 + n) * ?4 AS INTEGER) / 86400, ?5 ->> n,
              CAST(?2 + (?3 + n) * ?4 AS INTEGER) - 60, CAST(?2 + (?3 + n) * ?4 AS INTEGER), randomblob(16 * ?6) FROM i`,
    )
      .bind(n, from, done, step, JSON.stringify(installIds.slice(done % INSTALLS, (done % INSTALLS) + n)), PER_MESSAGE)
      .run();
  }
  const active = installIds.slice(0, Math.min(INSTALLS, Math.round(events / 50)));
  for (let i = 0; i < active.length; i += 5_000) {
    await c.env.DB.prepare(
      `INSERT OR IGNORE INTO daily_active_installs (app, day, distinct_id, app_version, os, country)
       SELECT 'teleport-connect', '2026-11-20', value, '17.0.1', 'darwin', 'DE' FROM json_each(?1)`,
    )
      .bind(JSON.stringify(active.slice(i, i + 5_000)))
      .run();
  }
  return c.json({ events, installs: active.length, ms: Date.now() - started });
});

app.post("/replay", async (c) => {
  const round = Number(c.req.query("round") ?? 0);
  const events = Number(c.req.query("events") ?? 10_000);
  const messages = delivery(round, events);
  const started = Date.now();
  const stored = await storeDelivery(c.env as unknown as Parameters<typeof storeDelivery>[0], messages);
  return c.json({ round, ...stored, ms: Date.now() - started });
});

/** Milliseconds `work` takes: workerd's clock moves only across I/O, so it is bracketed by two 1 ms timers. */
async function timed(work: () => unknown): Promise<number> {
  await scheduler.wait(1);
  const started = Date.now();
  work();
  await scheduler.wait(1);
  return Math.max(0, Date.now() - started - 1);
}

app.post("/archive-formats", async (c) => {
  const round = Number(c.req.query("round") ?? 0);
  const runs = Number(c.req.query("runs") ?? 5);
  const messages = delivery(round, Number(c.req.query("events") ?? 10_000));
  const events = messages.reduce((n, message) => n + message.events.length, 0);
  // Each way from the messages, as the archive writer did (NDJSON lines, ISO times) and does.
  const formats = {
    ndjson: () =>
      gzipLines(
        messages.flatMap((message) => {
          const received = new Date(message.received_at).toISOString();
          return message.events.map((event) => {
            const line: ArchivedEvent = {
              uuid: event.uuid,
              app: message.app,
              event: event.event,
              distinct_id: event.distinct_id,
              timestamp: new Date(event.timestamp).toISOString(),
              received_at: received,
              app_version: event.app_version,
              os: event.os,
              country: message.country,
              tenant_id: message.tenant_id,
              properties: event.properties,
            };
            return JSON.stringify(line);
          });
        }),
      ).byteLength,
    parquet: () =>
      encodeParquet(
        messages.flatMap((message) =>
          message.events.map((event) => ({
            uuid: event.uuid,
            event: event.event,
            distinct_id: event.distinct_id,
            timestamp: event.timestamp,
            received_at: message.received_at,
            app_version: event.app_version,
            os: event.os,
            country: message.country,
            tenant_id: message.tenant_id,
            properties: event.properties,
          })),
        ),
      ).byteLength,
  };
  const result: Record<string, { bytes_per_event: number; ms: number[] }> = {};
  for (let run = 0; run < runs; run++) {
    for (const [name, encode] of Object.entries(formats)) {
      let bytes = 0;
      const ms = await timed(() => {
        bytes = encode();
      });
      const entry = result[name] ?? { bytes_per_event: 0, ms: [] };
      entry.bytes_per_event = Math.round((bytes / events) * 10) / 10;
      entry.ms.push(ms);
      result[name] = entry;
    }
  }
  return c.json({ events, ...result });
});

export default app;
