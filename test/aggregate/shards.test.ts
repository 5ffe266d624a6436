import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { eventDatabases } from "../../src/lib/event-databases";
import type { Breakdown } from "../../src/stats/breakdown";
import type { EventStats } from "../../src/stats/queries";
import { operatorCall } from "../helpers/harness";
import { aggregatesSnapshot, archivedEvents, batchMessage, deliver, storedEvent } from "../helpers/queue";

/**
 * Two event databases (EVENT_DATABASES "DB,EVENTS_DB_2"): each install lives in one of them,
 * each database's transaction is exactly once on its own, and the stats add them up to what
 * one database would answer.
 */

const sharded = { ...env, EVENT_DATABASES: "DB,EVENTS_DB_2" };

/** A request with the operator's token, to the Worker with two event databases. */
const call = <T>(method: string, path: string, body?: unknown) =>
  operatorCall<T>(method, path, body, { bindings: sharded, ip: "192.0.2.7" });

const installsOf = async (db: D1Database) =>
  new Set(
    (
      await db.prepare("SELECT DISTINCT distinct_id FROM daily_active_installs").all<{ distinct_id: string }>()
    ).results.map((row) => row.distinct_id),
  );

describe("events spread over two event databases by install", () => {
  it("keeps each install in one database, counts exactly once, and adds the databases up in the stats", async () => {
    const installs = Array.from({ length: 40 }, () => crypto.randomUUID());
    const oses = ["linux", "darwin", "win32"];
    const messages = Array.from({ length: 5 }, (_, m) =>
      batchMessage(
        Array.from({ length: 60 }, (_, i) =>
          storedEvent({
            distinct_id: installs[(m * 7 + i) % installs.length] as string,
            os: oses[((m * 7 + i) % installs.length) % 3] as string,
          }),
        ),
        m === 0 ? { rejections: { not_anonymized: 3 } } : {},
      ),
    );
    const first = await deliver(messages, sharded);
    expect(first.explicitAcks).toEqual(first.ids);
    await deliver(messages, sharded); // redelivered: nothing more
    await deliver([batchMessage(messages[1]?.events ?? [])], sharded); // resent by a client: nothing more

    const [a, b] = [await aggregatesSnapshot(env.DB), await aggregatesSnapshot(env.EVENTS_DB_2)];
    expect(a.dedupeKeys + b.dedupeKeys).toBe(300);
    expect(a.dedupeKeys).toBeGreaterThan(0);
    expect(b.dedupeKeys).toBeGreaterThan(0);
    const [inA, inB] = [await installsOf(env.DB), await installsOf(env.EVENTS_DB_2)];
    expect([...inA].filter((id) => inB.has(id))).toEqual([]);
    expect(inA.size + inB.size).toBe(40);
    const { shardOf } = eventDatabases(sharded);
    for (const id of inB) expect(shardOf(id)).toBe(1);
    // Per-request counters live in the first database only.
    expect(a.rejections).toEqual([expect.objectContaining({ error: "not_anonymized", count: 3 })]);
    expect(b.rejections).toEqual([]);
    expect(new Set((await archivedEvents()).map((event) => event.uuid)).size).toBe(300);

    const stats = await call<EventStats>("GET", "/v1/stats/events?app=teleport-connect&from=2026-11-20&to=2026-11-20");
    expect(stats.status).toBe(200);
    expect(stats.body.days).toEqual([
      {
        day: "2026-11-20",
        events: { "connect.protocol.use": 300 },
        active_installs: 40,
        rejected: { not_anonymized: 3 },
      },
    ]);
    expect(stats.body).toMatchObject({ active_installs: 40, active_installs_exact: true });
    const breakdown = await call<Breakdown>(
      "GET",
      "/v1/stats/breakdown?app=teleport-connect&from=2026-11-20&to=2026-11-20",
    );
    expect(breakdown.body.active_installs).toBe(40);
    expect(breakdown.body.os.reduce((n, cell) => n + cell.installs, 0)).toBe(40);
  });

  it("forgets an install in its own database: nothing more is counted or archived under it", async () => {
    const install = crypto.randomUUID();
    await deliver([batchMessage([storedEvent({ distinct_id: install })])], sharded);
    const forgotten = await call<{ deleted: { install_days: number } }>("POST", "/v1/forget", {
      app: "teleport-connect",
      distinct_id: install,
    });
    expect(forgotten.status).toBe(200);
    expect(forgotten.body.deleted.install_days).toBe(1);
    const shard = eventDatabases(sharded).shardOf(install);
    const db = shard === 0 ? env.DB : env.EVENTS_DB_2;
    expect(
      await db.prepare("SELECT COUNT(*) AS n FROM forgotten_installs WHERE distinct_id = ?1").bind(install).first(),
    ).toEqual({ n: 1 });
    const later = storedEvent({ distinct_id: install });
    const before = (await aggregatesSnapshot(db)).dedupeKeys;
    await deliver([batchMessage([later])], sharded);
    expect((await aggregatesSnapshot(db)).dedupeKeys).toBe(before);
    expect((await archivedEvents()).filter((event) => event.uuid === later.uuid)).toEqual([]);
  });

  it("refuses a list of event databases that does not start with DB or names something else", () => {
    expect(() => eventDatabases({ ...env, EVENT_DATABASES: "EVENTS_DB_2" })).toThrow("DB first");
    expect(() => eventDatabases({ ...env, EVENT_DATABASES: "DB,ARCHIVE" })).toThrow("not a D1 binding");
  });
});
