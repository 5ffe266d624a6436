import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import {
  aggregatesSnapshot,
  archivedEvents,
  archiveObjects,
  batchMessage,
  deliver,
  emptyArchive,
  storedEvent,
} from "../helpers/queue";
import { uuidv7 } from "../helpers/uuidv7";

async function wipe() {
  await env.DB.batch(
    [
      "events",
      "event_uuids",
      "event_packs",
      "daily_event_counts",
      "daily_active_installs",
      "daily_rejections",
      "daily_dropped_properties",
      "processed_batches",
    ].map((table) => env.DB.prepare(`DELETE FROM ${table}`)),
  );
  await emptyArchive();
}

const uuidsOf = (events: { uuid: string }[]) => events.map((event) => event.uuid).sort();

describe("queue consumer", () => {
  beforeEach(wipe);

  it("stores dedupe keys and daily aggregates, archives every event, and acknowledges the message", async () => {
    const install = crypto.randomUUID();
    const message = batchMessage([
      storedEvent({ distinct_id: install }),
      storedEvent({ distinct_id: install }),
      storedEvent({ event: "connect.cluster.login", os: "darwin" }),
      storedEvent({ timestamp: Date.parse("2026-11-21T00:00:01Z") }),
    ]);
    const result = await deliver([message]);
    expect(result.explicitAcks).toEqual(result.ids);
    expect(result.retryMessages).toEqual([]);

    const snapshot = await aggregatesSnapshot(env.DB);
    expect(snapshot.dedupeKeys).toBe(4);
    expect(snapshot.counts).toEqual([
      {
        app: "teleport-connect",
        day: "2026-11-20",
        event: "connect.cluster.login",
        app_version: "17.0.1",
        os: "darwin",
        count: 1,
      },
      {
        app: "teleport-connect",
        day: "2026-11-20",
        event: "connect.protocol.use",
        app_version: "17.0.1",
        os: "linux",
        count: 2,
      },
      {
        app: "teleport-connect",
        day: "2026-11-21",
        event: "connect.protocol.use",
        app_version: "17.0.1",
        os: "linux",
        count: 1,
      },
    ]);
    expect(snapshot.installs).toHaveLength(3); // `install` once on 11-20, one more on 11-20, one on 11-21
    // Raw events are not kept in D1 (RAW_EVENT_DEBUG_DAYS is 0).
    expect((await env.DB.prepare("SELECT COUNT(*) AS n FROM events").first<{ n: number }>())?.n).toBe(0);

    // The archive: one object per app and hour of arrival, every event once, as the consumer got it.
    const objects = await archiveObjects();
    expect(objects.map((object) => object.key.replace(/[0-9a-f]{32}/, "<delivery>"))).toEqual([
      "events/app=teleport-connect/day=2026-11-20/hour=10/<delivery>.parquet",
    ]);
    const first = message.events[0];
    expect(objects[0]?.events[0]).toEqual({
      uuid: first?.uuid,
      app: "teleport-connect",
      event: "connect.protocol.use",
      distinct_id: install,
      timestamp: "2026-11-20T10:00:00.000Z",
      received_at: "2026-11-20T10:05:00.000Z",
      app_version: "17.0.1",
      os: "linux",
      country: "DE",
      tenant_id: null,
      properties: first?.properties,
    });
    expect(objects[0]?.events[3]?.timestamp).toBe("2026-11-21T00:00:01.000Z");
    expect(uuidsOf(await archivedEvents())).toEqual(uuidsOf(message.events));
  });

  it("leaves aggregates unchanged when the same message is delivered again, and overwrites its archive objects", async () => {
    const message = batchMessage([storedEvent(), storedEvent(), storedEvent()], {
      rejections: { not_anonymized: 2 },
      dropped_properties: { "connect.protocol.use": { hostname: 3 } },
    });
    await deliver([message]);
    const once = await aggregatesSnapshot(env.DB);
    expect(once.rejections).toEqual([
      { app: "teleport-connect", day: "2026-11-20", error: "not_anonymized", count: 2 },
    ]);
    expect(once.dropped).toEqual([
      { app: "teleport-connect", day: "2026-11-20", event: "connect.protocol.use", property: "hostname", count: 3 },
    ]);
    const archived = await archiveObjects();

    const again = await deliver([message]);
    expect(again.explicitAcks).toEqual(again.ids);
    expect(await aggregatesSnapshot(env.DB)).toEqual(once);
    expect(await archiveObjects()).toEqual(archived);
  });

  it("leaves aggregates unchanged when a client resends the same uuids in a new batch (the archive holds them at least once)", async () => {
    const events = [storedEvent(), storedEvent()];
    await deliver([batchMessage(events)]);
    const once = await aggregatesSnapshot(env.DB);
    await deliver([batchMessage(events, { received_at: Date.parse("2026-11-20T11:00:00Z") })]);
    expect(await aggregatesSnapshot(env.DB)).toEqual(once);
    const archived = uuidsOf(await archivedEvents());
    expect(new Set(archived)).toEqual(new Set(uuidsOf(events)));
  });

  it("recognises a resend whose corrected timestamp moved: the dedupe key is the time the client sent", async () => {
    const event = storedEvent({ client_timestamp: Date.parse("2026-11-20T09:59:58Z") });
    await deliver([batchMessage([event])]);
    // The resend reached the collector later with another sent_at: its corrected time differs.
    await deliver([batchMessage([{ ...event, timestamp: event.timestamp + 90_000 }])]);
    const snapshot = await aggregatesSnapshot(env.DB);
    expect(snapshot.counts).toEqual([expect.objectContaining({ count: 1 })]);
    expect(snapshot.dedupeKeys).toBe(1);
  });

  it("recognises a version 7 uuid sent again with another timestamp: the uuid's own time is its key", async () => {
    const sent = Date.parse("2026-11-20T09:59:58Z");
    const uuid = uuidv7(sent);
    const event = storedEvent({ uuid, client_timestamp: sent });
    await deliver([batchMessage([event])]);
    // Captured anew by an SDK: same uuid, a timestamp two minutes later.
    const recaptured = {
      ...event,
      client_timestamp: sent + 120_000,
      timestamp: event.timestamp + 120_000,
    };
    await deliver([batchMessage([recaptured])]);
    const snapshot = await aggregatesSnapshot(env.DB);
    expect(snapshot.counts).toEqual([expect.objectContaining({ count: 1 })]);
    expect(snapshot.dedupeKeys).toBe(1);
  });

  it("counts an event once when it was stored as a raw row before raw events moved to R2", async () => {
    const event = storedEvent();
    await env.DB.prepare(
      `INSERT INTO events (uuid, app, event, distinct_id, timestamp, received_at, day, app_version, os, properties)
       VALUES (?1, 'teleport-connect', ?2, ?3, ?4, ?4, '2026-11-20', '17.0.1', 'linux', '{}')`,
    )
      .bind(event.uuid, event.event, event.distinct_id, event.timestamp)
      .run();
    await deliver([batchMessage([event, storedEvent()])]);
    expect((await aggregatesSnapshot(env.DB)).counts).toEqual([expect.objectContaining({ count: 1 })]);
  });

  it("deduplicates messages of earlier versions (no client_timestamp, any uuid string) as well", async () => {
    const { client_timestamp: _, ...old } = storedEvent();
    const odd = storedEvent({ uuid: "legacy-event-id-7" });
    await deliver([batchMessage([old, odd])]);
    await deliver([batchMessage([old, odd])]);
    const snapshot = await aggregatesSnapshot(env.DB);
    expect(snapshot.counts).toEqual([expect.objectContaining({ count: 2 })]);
    expect(snapshot.dedupeKeys).toBe(2);
  });

  it("counts only the new events of a partly redelivered batch", async () => {
    const old = storedEvent();
    await deliver([batchMessage([old])]);
    await deliver([batchMessage([old, storedEvent()])]);
    const snapshot = await aggregatesSnapshot(env.DB);
    expect(snapshot.counts).toEqual([expect.objectContaining({ count: 2 })]);
    expect(snapshot.dedupeKeys).toBe(2);
  });

  it("counts a uuid carried by two messages of one delivery once, and archives it once", async () => {
    const shared = storedEvent();
    await deliver([batchMessage([shared]), batchMessage([shared, storedEvent()])]);
    const snapshot = await aggregatesSnapshot(env.DB);
    expect(snapshot.counts).toEqual([expect.objectContaining({ count: 2 })]);
    expect(await archivedEvents()).toHaveLength(2);
  });

  it("stores large deliveries in several chunks, still exactly once", async () => {
    const messages = Array.from({ length: 20 }, () =>
      batchMessage(Array.from({ length: 250 }, () => storedEvent({ properties: { pad: "p".repeat(180) } }))),
    );
    await deliver(messages);
    await deliver(messages);
    const snapshot = await aggregatesSnapshot(env.DB);
    expect(snapshot.dedupeKeys).toBe(5000);
    expect(snapshot.counts).toEqual([expect.objectContaining({ count: 5000 })]);
    expect(await archivedEvents()).toHaveLength(5000);
  });

  it("parks a malformed message at once (it can never be stored) and stores the others", async () => {
    const good = batchMessage([storedEvent()]);
    const result = await deliver([good, { v: 99, nonsense: true }]);
    expect([...result.explicitAcks].sort()).toEqual([...result.ids].sort());
    expect(result.retryMessages).toEqual([]);
    expect((await aggregatesSnapshot(env.DB)).dedupeKeys).toBe(1);
    const parked = await env.DB.prepare("SELECT queue, body FROM parked_messages WHERE id = ?1")
      .bind(result.ids[1])
      .first();
    expect(parked).toEqual({ queue: "edgehog-events", body: JSON.stringify({ v: 99, nonsense: true }) });
  });

  it("retries every message when D1 fails, acknowledging none", async () => {
    const failingDb = {
      prepare: (sql: string) => env.DB.prepare(sql),
      batch: async () => {
        throw new Error("D1 is unavailable");
      },
    } as unknown as D1Database;
    const result = await deliver([batchMessage([storedEvent()]), batchMessage([storedEvent()])], {
      ...env,
      DB: failingDb,
    });
    expect(result.explicitAcks).toEqual([]);
    expect(result.retryMessages.map((m: { msgId: string }) => m.msgId).sort()).toEqual([...result.ids].sort());
  });

  it("retries when the archive cannot be written, and counts once when it can again", async () => {
    const failingBucket = {
      put: async () => {
        throw new Error("R2 is unavailable");
      },
    } as unknown as R2Bucket;
    const messages = [batchMessage([storedEvent(), storedEvent()]), batchMessage([storedEvent()])];
    const failed = await deliver(messages, { ...env, ARCHIVE: failingBucket });
    expect(failed.explicitAcks).toEqual([]);
    expect(failed.retryMessages).toHaveLength(2);
    expect(await archivedEvents()).toEqual([]);

    const retried = await deliver(messages);
    expect(retried.explicitAcks).toEqual(retried.ids);
    expect((await aggregatesSnapshot(env.DB)).counts).toEqual([expect.objectContaining({ count: 3 })]);
    expect(await archivedEvents()).toHaveLength(3);
  });

  it("archives nothing of a forgotten install", async () => {
    const forgotten = crypto.randomUUID();
    await env.DB.prepare("INSERT INTO forgotten_installs (distinct_id, forgotten_at) VALUES (?1, 1)")
      .bind(forgotten)
      .run();
    const kept = storedEvent();
    await deliver([
      batchMessage([storedEvent({ distinct_id: forgotten }), kept]),
      // Alone in its hour: the object the archive first wrote for it is removed.
      batchMessage([storedEvent({ distinct_id: forgotten })], { received_at: Date.parse("2026-11-20T11:05:00Z") }),
    ]);
    expect(uuidsOf(await archivedEvents())).toEqual([kept.uuid]);
    expect((await archiveObjects()).map((object) => object.key)).toEqual([
      expect.stringContaining("day=2026-11-20/hour=10/"),
    ]);
    expect((await aggregatesSnapshot(env.DB)).counts).toEqual([expect.objectContaining({ count: 1 })]);
  });
});
