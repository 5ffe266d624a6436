import { env } from "cloudflare:workers";
import fc from "fast-check";
import { beforeEach, describe, expect, it } from "vitest";
import { storeDelivery } from "../../src/aggregate/consumer";
import { copyTombstonesToJoining } from "../../src/forget/purge";
import { eventDatabases } from "../../src/lib/event-databases";
import { DAY_MS } from "../../src/lib/time";
import { aggregatesSnapshot, batchMessage, emptyArchive, storedEvent } from "../helpers/queue";

/**
 * A database joining a running deployment (EVENT_DATABASES "DB,EVENTS_DB_2@<day>"): events are
 * placed by the databases of their own dedupe day, so what was stored before the day is still
 * found where it is (a resend counts nothing), installs spread over both from the day on, and
 * an install forgotten before the database was listed stays forgotten in it.
 */

const JOINS = "2026-11-21";
const joinDay = Date.parse(`${JOINS}T00:00:00Z`);
const one = { ...env, EVENT_DATABASES: "DB" } as Env;
const two = { ...env, EVENT_DATABASES: `DB,EVENTS_DB_2@${JOINS}` } as Env;
const TABLES = ["event_packs", "daily_event_counts", "daily_active_installs", "daily_versions", "forgotten_installs"];

async function wipe() {
  for (const db of [env.DB, env.EVENTS_DB_2]) await db.batch(TABLES.map((t) => db.prepare(`DELETE FROM ${t}`)));
  await emptyArchive();
}

const counted = async () => {
  let n = 0;
  for (const db of [env.DB, env.EVENTS_DB_2]) {
    n +=
      (await db.prepare("SELECT COALESCE(SUM(count), 0) AS n FROM daily_event_counts").first<{ n: number }>())?.n ?? 0;
  }
  return n;
};

/** An event of `install` whose client time (its dedupe second) is `at`. */
const eventAt = (install: string, at: number) =>
  storedEvent({ distinct_id: install, timestamp: at, client_timestamp: at });

describe("a database joining from a day on", () => {
  beforeEach(wipe);

  it("places events by their own day, and counts each once across the change (property)", async () => {
    const installs = Array.from({ length: 12 }, () => crypto.randomUUID());
    // Events of two days before the database joins (stored before it was listed, two days ahead
    // of its day, as docs/SCALING.md asks), and events around its day, all sent again at random.
    const early = Array.from({ length: 36 }, (_, i) =>
      eventAt(installs[i % 12] as string, joinDay - 3 * DAY_MS + i * 3_600_000),
    );
    const around = Array.from({ length: 60 }, (_, i) =>
      eventAt(installs[i % 12] as string, joinDay - 12 * 3_600_000 + i * 20 * 60_000),
    );
    const pool = [...early, ...around];
    const picks = (max: number) => fc.uniqueArray(fc.nat({ max }), { minLength: 1, maxLength: 30 });
    await fc.assert(
      fc.asyncProperty(
        fc.array(picks(early.length - 1), { maxLength: 3 }),
        fc.array(picks(pool.length - 1), { minLength: 1, maxLength: 4 }),
        async (before, after) => {
          await wipe();
          const sent = new Set<string>();
          const deliver = async (config: Env, indexes: number[], receivedAt: number) => {
            const events = indexes.map((i) => pool[i] as ReturnType<typeof storedEvent>);
            for (const event of events) sent.add(event.uuid);
            await storeDelivery(config, [batchMessage(events, { received_at: receivedAt })]);
          };
          for (const indexes of before) await deliver(one, indexes, joinDay - 2 * DAY_MS + 3_600_000);
          for (const indexes of after) await deliver(two, indexes, joinDay + 13 * 3_600_000);
          expect(await counted()).toBe(sent.size);
        },
      ),
      { seed: 20261208, numRuns: 20 },
    );
    // The joining database holds nothing from before its day.
    const first = await env.EVENTS_DB_2.prepare("SELECT MIN(at_day) AS d FROM event_packs").first<{
      d: number | null;
    }>();
    expect(first?.d === null || (first?.d ?? 0) >= joinDay / DAY_MS).toBe(true);
  });

  it("spreads installs over both databases from its day, and only from it", async () => {
    const databases = eventDatabases(two);
    const installs = Array.from({ length: 40 }, () => crypto.randomUUID());
    const dayBefore = joinDay / DAY_MS - 1;
    expect(new Set(installs.map((id) => databases.shardOf(id, dayBefore)))).toEqual(new Set([0]));
    expect(new Set(installs.map((id) => databases.shardOf(id, dayBefore + 1)))).toEqual(new Set([0, 1]));
    await storeDelivery(two, [batchMessage(installs.map((id) => eventAt(id, joinDay + 600_000)))]);
    const [a, b] = await Promise.all([aggregatesSnapshot(env.DB), aggregatesSnapshot(env.EVENTS_DB_2)]);
    expect(a.dedupeKeys + b.dedupeKeys).toBe(40);
    expect(b.dedupeKeys).toBeGreaterThan(0);
  });

  it("keeps an install forgotten before the database was listed out of it", async () => {
    const databases = eventDatabases(two);
    const install = Array.from({ length: 64 }, () => crypto.randomUUID()).find(
      (id) => databases.shardOf(id, joinDay / DAY_MS) === 1,
    ) as string;
    await env.DB.prepare("INSERT INTO forgotten_installs (distinct_id, forgotten_at) VALUES (?1, ?2)")
      .bind(install, joinDay - DAY_MS)
      .run();
    // Listed the day before it joins; the hourly job copies the tombstones into it.
    expect(await copyTombstonesToJoining(two, joinDay - DAY_MS)).toBeGreaterThan(0);
    await storeDelivery(two, [batchMessage([eventAt(install, joinDay + 600_000)])]);
    expect(await counted()).toBe(0);
    expect((await aggregatesSnapshot(env.EVENTS_DB_2)).installs).toEqual([]);
  });

  it("refuses a list it cannot place events by", () => {
    for (const list of [
      "DB@2026-11-20,EVENTS_DB_2",
      "DB,EVENTS_DB_2@2026-11-21,X@2026-11-20",
      "DB,EVENTS_DB_2@21-11-2026",
    ]) {
      expect(() => eventDatabases({ ...env, EVENT_DATABASES: list } as Env), list).toThrow(/EVENT_DATABASES/);
    }
  });
});
