import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { aggregatesSnapshot, batchMessage, deliver, storedEvent } from "../helpers/queue";

async function wipe() {
  await env.DB.batch(
    [
      "events",
      "daily_event_counts",
      "daily_active_installs",
      "daily_rejections",
      "daily_dropped_properties",
      "processed_batches",
    ].map((table) => env.DB.prepare(`DELETE FROM ${table}`)),
  );
}

describe("queue consumer", () => {
  beforeEach(wipe);

  it("stores raw events and daily aggregates, and acknowledges the message", async () => {
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
    expect(snapshot.rawEvents).toBe(4);
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

    const row = await env.DB.prepare("SELECT * FROM events WHERE uuid = ?").bind(message.events[0]?.uuid).first();
    expect(row).toMatchObject({ app: "teleport-connect", country: "DE", day: "2026-11-20", tenant_id: null });
    expect(JSON.parse(String(row?.properties))).toEqual(message.events[0]?.properties);
  });

  it("leaves aggregates unchanged when the same message is delivered again", async () => {
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

    const again = await deliver([message]);
    expect(again.explicitAcks).toEqual(again.ids);
    expect(await aggregatesSnapshot(env.DB)).toEqual(once);
  });

  it("leaves aggregates unchanged when a client resends the same uuids in a new batch", async () => {
    const events = [storedEvent(), storedEvent()];
    await deliver([batchMessage(events)]);
    const once = await aggregatesSnapshot(env.DB);
    await deliver([batchMessage(events, { received_at: Date.parse("2026-11-20T11:00:00Z") })]);
    expect(await aggregatesSnapshot(env.DB)).toEqual(once);
  });

  it("counts only the new events of a partly redelivered batch", async () => {
    const old = storedEvent();
    await deliver([batchMessage([old])]);
    await deliver([batchMessage([old, storedEvent()])]);
    const snapshot = await aggregatesSnapshot(env.DB);
    expect(snapshot.counts).toEqual([expect.objectContaining({ count: 2 })]);
    expect(snapshot.rawEvents).toBe(2);
  });

  it("counts a uuid carried by two messages of one delivery once", async () => {
    const shared = storedEvent();
    await deliver([batchMessage([shared]), batchMessage([shared, storedEvent()])]);
    const snapshot = await aggregatesSnapshot(env.DB);
    expect(snapshot.counts).toEqual([expect.objectContaining({ count: 2 })]);
  });

  it("stores large deliveries in several chunks, still exactly once", async () => {
    const messages = Array.from({ length: 20 }, () =>
      batchMessage(Array.from({ length: 250 }, () => storedEvent({ properties: { pad: "p".repeat(180) } }))),
    );
    await deliver(messages);
    await deliver(messages);
    const snapshot = await aggregatesSnapshot(env.DB);
    expect(snapshot.rawEvents).toBe(5000);
    expect(snapshot.counts).toEqual([expect.objectContaining({ count: 5000 })]);
  });

  it("parks a malformed message at once (it can never be stored) and stores the others", async () => {
    const good = batchMessage([storedEvent()]);
    const result = await deliver([good, { v: 99, nonsense: true }]);
    expect([...result.explicitAcks].sort()).toEqual([...result.ids].sort());
    expect(result.retryMessages).toEqual([]);
    expect((await aggregatesSnapshot(env.DB)).rawEvents).toBe(1);
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
});
