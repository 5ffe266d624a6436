import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { featuresOf, valueBit } from "../../src/catalog/feature-bits";
import { DAY_MS, utcDay } from "../../src/lib/time";
import type { Breakdown } from "../../src/stats/breakdown";
import type { EventStats } from "../../src/stats/queries";
import { operatorGet, runHourlyCron } from "../helpers/harness";
import { aggregatesSnapshot, batchMessage, deliver, storedEvent } from "../helpers/queue";

/**
 * The hourly retention job: dedupe keys go once no event they could match is accepted, raw rows
 * of the debugging window go after RAW_EVENT_DEBUG_DAYS, and per-install rows older than
 * EXACT_INSTALL_DAYS are folded into exact daily counts and sketches, which the stats API reads.
 */

const NOW = Date.parse("2026-11-24T12:00:00Z");

beforeEach(async () => {
  await env.DB.batch(
    [
      "events",
      "event_uuids",
      "event_packs",
      "daily_event_counts",
      "daily_active_installs",
      "install_history",
      "daily_versions",
    ].map((table) => env.DB.prepare(`DELETE FROM ${table}`)),
  );
});

describe("retention job (cron)", () => {
  it("purges dedupe keys once their events would be refused as too old, and keeps the aggregates", async () => {
    await deliver([
      batchMessage([storedEvent({ timestamp: NOW - 33 * DAY_MS }), storedEvent({ timestamp: NOW - 33 * DAY_MS })], {
        received_at: NOW - 33 * DAY_MS,
      }),
    ]);
    const recent = storedEvent({ timestamp: NOW - 29 * DAY_MS });
    await deliver([batchMessage([recent], { received_at: NOW - 29 * DAY_MS })]);
    const before = await aggregatesSnapshot(env.DB);
    expect(before.dedupeKeys).toBe(3);

    await runHourlyCron(NOW);

    const after = await aggregatesSnapshot(env.DB);
    expect(after.dedupeKeys).toBe(1);
    expect(after.counts).toEqual(before.counts);
    expect(after.installs).toEqual(before.installs);
    // The key that stayed still recognises its event.
    await deliver([batchMessage([recent], { received_at: NOW })]);
    expect((await aggregatesSnapshot(env.DB)).counts).toEqual(before.counts);
  });

  it("keeps raw rows in D1 only when RAW_EVENT_DEBUG_DAYS asks, and only that long", async () => {
    const debugEnv = { ...env, RAW_EVENT_DEBUG_DAYS: "2" };
    await deliver([batchMessage([storedEvent()], { received_at: NOW - 3 * DAY_MS })], debugEnv);
    await deliver([batchMessage([storedEvent(), storedEvent()], { received_at: NOW - DAY_MS })], debugEnv);
    const raw = async () => (await env.DB.prepare("SELECT COUNT(*) AS n FROM events").first<{ n: number }>())?.n;
    expect(await raw()).toBe(3);
    await runHourlyCron(NOW, debugEnv);
    expect(await raw()).toBe(2);
  });

  it("folds install days older than EXACT_INSTALL_DAYS into exact daily counts and sketches the stats read", async () => {
    const day1 = NOW - 60 * DAY_MS;
    const day2 = NOW - 59 * DAY_MS;
    const recentDay = NOW - 2 * DAY_MS;
    const installs = Array.from({ length: 120 }, () => crypto.randomUUID());
    // Day 1: every install; day 2: the first 80, of which the first 40 upgraded; recently: 10.
    const events = [
      ...installs.map((id, i) =>
        storedEvent({ distinct_id: id, timestamp: day1, app_version: "17.0.1", os: i % 3 === 0 ? "linux" : "darwin" }),
      ),
      ...installs
        .slice(0, 80)
        .map((id, i) => storedEvent({ distinct_id: id, timestamp: day2, app_version: i < 40 ? "18.0.0" : "17.0.1" })),
      ...installs.slice(0, 10).map((id) => storedEvent({ distinct_id: id, timestamp: recentDay })),
    ];
    await deliver([batchMessage(events, { received_at: day2 })]);
    const [d1, d2, recent] = [utcDay(day1), utcDay(day2), utcDay(recentDay)];
    const exactBefore = await operatorGet<EventStats>(`/v1/stats/events?app=teleport-connect&from=${d1}&to=${d2}`);
    expect(exactBefore.active_installs).toBe(120);
    expect(exactBefore.active_installs_exact).toBe(true);

    await runHourlyCron(NOW);

    const rows = await env.DB.prepare("SELECT day, COUNT(*) AS n FROM daily_active_installs GROUP BY day").all();
    expect(rows.results).toEqual([{ day: recent, n: 10 }]);
    const history = await env.DB.prepare(
      "SELECT day, dimension, value, installs FROM install_history WHERE dimension <> 'feature' ORDER BY day, dimension, value",
    ).all();
    // Each feature bit the installs' rows held (the event, its protocol value) is folded too.
    const protocolUse = featuresOf("teleport-connect")?.events.get("connect.protocol.use");
    const ssh = valueBit("teleport-connect", "connect.protocol.use", "protocol", "ssh");
    const features = await env.DB.prepare(
      "SELECT day, value, installs FROM install_history WHERE dimension = 'feature' ORDER BY day, CAST(value AS INTEGER), value",
    ).all();
    // The event's bit also by the version and OS of the day, for breakdowns of folded days.
    const bit = protocolUse?.bit as number;
    expect(features.results).toEqual([
      { day: d1, value: String(bit), installs: 120 },
      { day: d1, value: `${bit}@app_version=17.0.1`, installs: 120 },
      { day: d1, value: `${bit}@os=darwin`, installs: 80 },
      { day: d1, value: `${bit}@os=linux`, installs: 40 },
      { day: d1, value: String(ssh), installs: 120 },
      { day: d2, value: String(bit), installs: 80 },
      { day: d2, value: `${bit}@app_version=17.0.1`, installs: 40 },
      { day: d2, value: `${bit}@app_version=18.0.0`, installs: 40 },
      { day: d2, value: `${bit}@os=linux`, installs: 80 },
      { day: d2, value: String(ssh), installs: 80 },
    ]);
    expect(history.results).toEqual([
      { day: d1, dimension: "", value: "", installs: 120 },
      { day: d1, dimension: "app_version", value: "17.0.1", installs: 120 },
      { day: d1, dimension: "country", value: "DE", installs: 120 },
      { day: d1, dimension: "os", value: "darwin", installs: 80 },
      { day: d1, dimension: "os", value: "linux", installs: 40 },
      { day: d2, dimension: "", value: "", installs: 80 },
      { day: d2, dimension: "app_version", value: "17.0.1", installs: 40 },
      { day: d2, dimension: "app_version", value: "18.0.0", installs: 40 },
      { day: d2, dimension: "country", value: "DE", installs: 80 },
      { day: d2, dimension: "os", value: "linux", installs: 80 },
    ]);

    // Per-day counts stay exact; distinct installs over a range reaching folded days are estimated.
    const folded = await operatorGet<EventStats>(`/v1/stats/events?app=teleport-connect&from=${d1}&to=${recent}`);
    expect(folded.days.find((d) => d.day === d1)?.active_installs).toBe(120);
    expect(folded.days.find((d) => d.day === d2)?.active_installs).toBe(80);
    expect(folded.days.find((d) => d.day === recent)?.active_installs).toBe(10);
    expect(folded.active_installs_exact).toBe(false);
    expect(Math.abs(folded.active_installs - 120)).toBeLessThanOrEqual(4);
    expect(folded.days.reduce((n, d) => n + (d.events["connect.protocol.use"] ?? 0), 0)).toBe(events.length);
    // A range of recent days only is still exact.
    const exact = await operatorGet<EventStats>(`/v1/stats/events?app=teleport-connect&from=${recent}&to=${recent}`);
    expect(exact).toMatchObject({ active_installs: 10, active_installs_exact: true });

    const breakdown = await operatorGet<Breakdown>(`/v1/stats/breakdown?app=teleport-connect&from=${d1}&to=${d2}`);
    expect(breakdown.exact).toBe(false);
    const versions = new Map(breakdown.app_version.map((cell) => [cell.value, cell.installs]));
    // The 40 upgraded installs count under both versions: history keeps no install's last day.
    expect(Math.abs((versions.get("17.0.1") ?? 0) - 120)).toBeLessThanOrEqual(4);
    expect(Math.abs((versions.get("18.0.0") ?? 0) - 40)).toBeLessThanOrEqual(2);
  });

  it("merges late rows of a folded day into its history (a re-driven old message)", async () => {
    const old = NOW - 60 * DAY_MS;
    const first = Array.from({ length: 30 }, () => storedEvent({ timestamp: old }));
    await deliver([batchMessage(first, { received_at: old })]);
    await runHourlyCron(NOW);
    const late = Array.from({ length: 5 }, () => storedEvent({ timestamp: old }));
    await deliver([batchMessage(late, { received_at: NOW })]);
    await runHourlyCron(NOW);
    const total = await env.DB.prepare("SELECT installs FROM install_history WHERE day = ?1 AND dimension = ''")
      .bind(utcDay(old))
      .first<{ installs: number }>();
    expect(total?.installs).toBe(35);
    expect((await aggregatesSnapshot(env.DB)).installs).toEqual([]);
  });
});
