import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type ForgetBounds, forgetInstall } from "../../src/forget/store";
import { archiveReachedFrom, tombstoneLifetimeMs } from "../../src/forget/tombstones";
import { eventDatabases } from "../../src/lib/event-databases";
import { DAY_MS, daysBetween, utcDay } from "../../src/lib/time";
import { rows } from "../helpers/harness";
import { d1Meter, meteredD1 } from "../helpers/metered";
import { batchMessage, deliver, storedEvent } from "../helpers/queue";

/**
 * The archive is partitioned by the day events arrived. Each per-install row records the first
 * and last day its events arrived on, written only when a delivery widens that span, and a
 * forget schedules exactly the days its rows name: the rewrite is bounded by what the install
 * sent, not by a month around it.
 */

const bounds = (now: number): ForgetBounds => ({
  rawRetentionDays: 30,
  tombstoneLifetimeMs: tombstoneLifetimeMs(env),
  archiveReachedFrom: archiveReachedFrom(env, now),
});
const at = (day: string, hour = 10) => Date.parse(`${day}T${String(hour).padStart(2, "0")}:00:00Z`);

const installRows = (distinctId: string) =>
  rows(
    "SELECT day, first_received, last_received FROM daily_active_installs WHERE distinct_id = ?1 ORDER BY day",
    distinctId,
  );

async function scheduledDays(distinctId: string) {
  const { results } = await env.DB.prepare("SELECT day FROM archive_scrubs WHERE distinct_id = ?1 ORDER BY day")
    .bind(distinctId)
    .all<{ day: string }>();
  return results.map((row) => row.day);
}

describe("arrival days", () => {
  it("are recorded per install-day as they widen, and a forget schedules exactly the days they span", async () => {
    const install = crypto.randomUUID();
    const send = (eventDay: string, arrival: string) =>
      deliver([
        batchMessage([storedEvent({ distinct_id: install, timestamp: at(eventDay, 9) })], { received_at: at(arrival) }),
      ]);
    await send("2026-11-10", "2026-11-10");
    await send("2026-11-10", "2026-11-12"); // a batch that waited two days on the device
    await send("2026-11-11", "2026-11-11");
    await send("2026-11-20", "2026-11-20");
    await send("2026-11-10", "2026-11-10"); // the same day again: no change
    expect(await installRows(install)).toEqual([
      { day: "2026-11-10", first_received: "2026-11-10", last_received: "2026-11-12" },
      { day: "2026-11-11", first_received: "2026-11-11", last_received: "2026-11-11" },
      { day: "2026-11-20", first_received: "2026-11-20", last_received: "2026-11-20" },
    ]);
    const now = at("2026-12-01");
    const forgotten = await forgetInstall(eventDatabases(env), [install, install], now, bounds(now));
    expect(forgotten.archiveDays).toBe(4);
    expect(await scheduledDays(install)).toEqual(["2026-11-10", "2026-11-11", "2026-11-12", "2026-11-20"]);
  });

  it("of one delivery that crosses midnight are both recorded", async () => {
    const install = crypto.randomUUID();
    const event = (hour: number) => storedEvent({ distinct_id: install, timestamp: at("2026-11-05", hour) });
    await deliver([
      batchMessage([event(22)], { received_at: Date.parse("2026-11-05T23:59:59Z") }),
      batchMessage([event(23)], { received_at: Date.parse("2026-11-06T00:00:01Z") }),
    ]);
    expect(await installRows(install)).toEqual([
      { day: "2026-11-05", first_received: "2026-11-05", last_received: "2026-11-06" },
    ]);
  });

  it("of any deliveries, in any order, span every day the install's events of a day arrived on", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.nat(3), fc.nat(5)), { minLength: 1, maxLength: 8 }),
        fc.integer({ min: 1, max: 3 }),
        async (sends, perDelivery) => {
          const install = crypto.randomUUID();
          const arrivalsOf = new Map<string, string[]>();
          const messages = sends.map(([eventOffset, delay]) => {
            const eventDay = utcDay(at("2026-10-01") + eventOffset * DAY_MS);
            const arrival = utcDay(at(eventDay) + delay * DAY_MS);
            arrivalsOf.set(eventDay, [...(arrivalsOf.get(eventDay) ?? []), arrival]);
            return batchMessage([storedEvent({ distinct_id: install, timestamp: at(eventDay, 9) })], {
              received_at: at(arrival),
            });
          });
          for (let i = 0; i < messages.length; i += perDelivery) await deliver(messages.slice(i, i + perDelivery));
          const expected = [...arrivalsOf]
            .sort(([a], [b]) => a.localeCompare(b))
            .map(([day, arrivals]) => ({
              day,
              first_received: arrivals.reduce((a, b) => (a < b ? a : b)),
              last_received: arrivals.reduce((a, b) => (a > b ? a : b)),
            }));
          expect(await installRows(install)).toEqual(expected);
        },
      ),
      { seed: 22, numRuns: 25 },
    );
  });

  it("cost no D1 row write for a delivery that arrives within them, one for a delivery that widens them", async () => {
    const install = crypto.randomUUID();
    const event = () => storedEvent({ distinct_id: install, timestamp: at("2026-11-15", 9) });
    const rowsWritten = async (arrival: string) => {
      const meter = d1Meter();
      await deliver([batchMessage([event()], { received_at: at(arrival) })], { ...env, DB: meteredD1(env.DB, meter) });
      return meter.rowsWritten;
    };
    await rowsWritten("2026-11-15"); // the install-day row, its count group and the version are new
    // One more event in the same group: its dedupe pack (a row and its index entry), its count and
    // its protocol value's count (insights), and nothing of the install-day row.
    const within = await rowsWritten("2026-11-15");
    expect(within).toBe(4);
    expect(await rowsWritten("2026-11-16")).toBe(within + 1);
    expect(await rowsWritten("2026-11-16")).toBe(within);
  });

  it("of rows stored before they were recorded are assumed as before: the day before to the retention after", async () => {
    const install = crypto.randomUUID();
    await env.DB.prepare(
      "INSERT INTO daily_active_installs (app, day, distinct_id, app_version, os, country) VALUES ('teleport-connect', '2026-11-01', ?1, '', '', '')",
    )
      .bind(install)
      .run();
    // Later deliveries do not narrow the assumed span to the one day they saw, nor write the row.
    const later = async () => {
      const meter = d1Meter();
      const event = storedEvent({ distinct_id: install, timestamp: at("2026-11-01", 9) });
      await deliver([batchMessage([event], { received_at: at("2026-11-02") })], {
        ...env,
        DB: meteredD1(env.DB, meter),
      });
      return meter.rowsWritten;
    };
    await later();
    expect(await later()).toBe(4); // its dedupe pack (a row and its index entry), its count and its value's count
    expect(await installRows(install)).toEqual([{ day: "2026-11-01", first_received: null, last_received: null }]);
    const now = at("2026-11-20");
    const forgotten = await forgetInstall(eventDatabases(env), [install, install], now, bounds(now));
    expect(await scheduledDays(install)).toEqual(daysBetween("2026-10-31", "2026-11-20"));
    expect(forgotten.archiveDays).toBe(21);
  });
});
