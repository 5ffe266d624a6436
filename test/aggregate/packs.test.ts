import { env } from "cloudflare:workers";
import fc from "fast-check";
import { beforeEach, describe, expect, it } from "vitest";
import { storeDelivery } from "../../src/aggregate/consumer";
import { PACK_UUIDS } from "../../src/aggregate/packs";
import type { BatchMessage, StoredEvent } from "../../src/ingest/queue-message";
import { DAY_MS, SECOND_MS } from "../../src/lib/time";
import { d1Meter, meteredD1 } from "../helpers/metered";
import { aggregatesSnapshot, batchMessage, emptyArchive, storedEvent } from "../helpers/queue";

/**
 * The packed dedupe index (src/aggregate/packs.ts): uuids stored per install and day of their
 * dedupe second, up to PACK_UUIDS in a row. Whatever way events come back (a redelivered
 * delivery, a client's resend re-batched with new events, across midnight, past a pack's
 * size), each is counted once; and a 100-event batch of one install costs D1 a few rows, not
 * one per event.
 */

const TABLES = [
  "event_uuids",
  "event_packs",
  "daily_event_counts",
  "daily_active_installs",
  "daily_versions",
  "forgotten_installs",
];

async function wipe() {
  await env.DB.batch(TABLES.map((table) => env.DB.prepare(`DELETE FROM ${table}`)));
  await emptyArchive();
}

const counted = async () =>
  (await env.DB.prepare("SELECT COALESCE(SUM(count), 0) AS n FROM daily_event_counts").first<{ n: number }>())?.n;

const RECEIVED = Date.parse("2026-11-20T23:59:00Z");

describe("the packed dedupe index", () => {
  beforeEach(wipe);

  it("counts every event once, however its uuids come back (property)", async () => {
    // A pool of events from three installs, many within the same seconds and around midnight;
    // deliveries are random selections of it (so resends are re-batched with new events, and a
    // batch may hold other installs' events), some delivered twice.
    const installs = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
    const pool: StoredEvent[] = Array.from({ length: 120 }, (_, i) => {
      const timestamp = RECEIVED - 90 * SECOND_MS + Math.floor(i / 4) * 5 * SECOND_MS;
      return storedEvent({ distinct_id: installs[i % 3] as string, timestamp, client_timestamp: timestamp });
    });
    const delivery = fc.array(
      fc.record({
        picks: fc.uniqueArray(fc.nat({ max: pool.length - 1 }), { minLength: 1, maxLength: 40 }),
        install: fc.nat({ max: 2 }),
      }),
      { minLength: 1, maxLength: 4 },
    );
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.record({ messages: delivery, twice: fc.boolean() }), { minLength: 1, maxLength: 6 }),
        async (deliveries) => {
          await wipe();
          const sent = new Set<string>();
          for (const { messages, twice } of deliveries) {
            const bodies: BatchMessage[] = messages.map(({ picks, install }) => {
              // Mostly one install per batch, as clients send them, and now and then another's event.
              const events = picks.map((i) => pool[i] as StoredEvent);
              return batchMessage(events.filter((e, k) => e.distinct_id === installs[install] || k % 4 === 0));
            });
            for (const body of bodies) for (const event of body.events) sent.add(event.uuid);
            await storeDelivery(env, bodies);
            if (twice) await storeDelivery(env, bodies);
          }
          expect(await counted()).toBe(sent.size);
          expect((await aggregatesSnapshot(env.DB)).dedupeKeys).toBe(sent.size);
        },
      ),
      { seed: 20261207, numRuns: 25 },
    );
  }, 60_000);

  it("finds a uuid of any pack of its install: past a pack's size, and on either side of midnight", async () => {
    const install = crypto.randomUUID();
    const events = Array.from({ length: PACK_UUIDS * 2 + 30 }, (_, i) => {
      const timestamp = RECEIVED + (i % 2 === 0 ? 0 : 2 * 60 * SECOND_MS); // 23:59 and 00:01
      return storedEvent({ distinct_id: install, timestamp, client_timestamp: timestamp });
    });
    await storeDelivery(env, [batchMessage(events)]);
    const packs = await env.DB.prepare("SELECT COUNT(*) AS n FROM event_packs").first<{ n: number }>();
    expect(packs?.n).toBe(4); // two days, each more than a pack's worth
    // Every event again, shuffled into other batches with one new event each: only those count.
    const resent = [...events].reverse();
    const fresh = [storedEvent({ distinct_id: install }), storedEvent({ distinct_id: install })];
    await storeDelivery(env, [
      batchMessage([...resent.slice(0, 300), fresh[0] as StoredEvent]),
      batchMessage([fresh[1] as StoredEvent, ...resent.slice(300)]),
    ]);
    expect(await counted()).toBe(events.length + 2);
  });

  it("still finds events stored as single keys before packs", async () => {
    const old = storedEvent();
    const at = Math.floor((old.client_timestamp ?? old.timestamp) / 1000);
    await env.DB.prepare("INSERT INTO event_uuids (at, uuid) VALUES (?1, unhex(?2, '-'))").bind(at, old.uuid).run();
    // A database this isolate has not seen without single keys (an upgraded deployment's).
    const upgraded = { ...env, DB: meteredD1(env.DB, d1Meter()) } as Env;
    await storeDelivery(upgraded, [batchMessage([old, storedEvent()])]);
    expect(await counted()).toBe(1);
    // Both ways.
    const again = storedEvent();
    await env.DB.prepare("INSERT INTO event_uuids (at, uuid) VALUES (?1, unhex(?2, '-'))")
      .bind(Math.floor((again.client_timestamp ?? again.timestamp) / 1000), again.uuid)
      .run();
    await storeDelivery(upgraded, [batchMessage([again, old])]);
    expect(await counted()).toBe(1);
  });

  it("writes a few rows per 100-event batch of one install, not one per event", async () => {
    const meter = d1Meter();
    const metered = { ...env, DB: meteredD1(env.DB, meter) } as Env;
    // A delivery of 20 batches from 20 installs, 100 events each (the realistic event mix: four
    // event kinds), then the same installs again an hour later.
    const installs = Array.from({ length: 20 }, () => crypto.randomUUID());
    const kinds = [
      "connect.protocol.use",
      "connect.cluster.login",
      "connect.fileTransfer.run",
      "connect.accessRequest.create",
    ];
    const batch = (install: string, received: number) =>
      batchMessage(
        Array.from({ length: 100 }, (_, i) => {
          const timestamp = received - (100 - i) * 1500;
          return storedEvent({
            distinct_id: install,
            event: kinds[i % 4] as string,
            timestamp,
            client_timestamp: timestamp,
          });
        }),
        { received_at: received },
      );
    const start = Date.parse("2026-11-20T10:00:00Z");
    await storeDelivery(
      metered,
      installs.map((id) => batch(id, start)),
    );
    await storeDelivery(
      metered,
      installs.map((id) => batch(id, start + 3_600_000)),
    );
    expect(await counted()).toBe(4000);
    // Per batch: its pack and the pack's index entry; per install-day: its row and index entry
    // (once a day); per delivery: the count groups and versions.
    expect(meter.rowsWritten / 4000).toBeLessThanOrEqual(0.05);
  });

  it("keeps what a pack says of its install: the same uuid from another install is its own event", async () => {
    const uuid = crypto.randomUUID();
    await storeDelivery(env, [batchMessage([storedEvent({ uuid })])]);
    await storeDelivery(env, [batchMessage([storedEvent({ uuid })])]);
    expect(await counted()).toBe(2);
    // Within the acceptance window, and outside it (a key clamped to its edge), a resend of the same install counts once.
    const late = storedEvent({ timestamp: RECEIVED - 40 * DAY_MS });
    await storeDelivery(env, [batchMessage([late], { received_at: RECEIVED })]);
    await storeDelivery(env, [batchMessage([late], { received_at: RECEIVED })]);
    expect(await counted()).toBe(3);
  });
});
