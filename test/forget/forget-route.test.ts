import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { type ForgetBounds, forgetInstall } from "../../src/forget/store";
import { archiveReachedFrom, tombstoneLifetimeMs } from "../../src/forget/tombstones";
import { eventDatabases } from "../../src/lib/event-databases";
import { eventsBody } from "../helpers/events";
import { call, forget, post, postEvents, randomIp, runHourlyCron } from "../helpers/harness";
import { archivedEvents, batchMessage, deliver, storedEvent } from "../helpers/queue";

/**
 * `POST /v1/forget`: what it deletes (raw rows, per-install daily rows, and, through the hourly
 * job, the install's events in the archive), what it keeps (the anonymous counts), the
 * tombstone, and that nothing more is stored or archived under a forgotten id.
 */

/** A deployment keeping raw rows in D1 for debugging (RAW_EVENT_DEBUG_DAYS). */
const debugEnv = { ...env, RAW_EVENT_DEBUG_DAYS: "3" };
/** What forgetInstall is told of the deployment (the route computes the same from the vars). */
const bounds = (now: number): ForgetBounds => ({
  rawRetentionDays: 30,
  tombstoneLifetimeMs: tombstoneLifetimeMs(env),
  archiveReachedFrom: archiveReachedFrom(env, now),
});
const archivedOf = async (distinctId: string) =>
  (await archivedEvents()).filter((event) => event.distinct_id === distinctId).length;

async function rows(distinctId: string) {
  const [events, installs, tombstones] = await env.DB.batch([
    env.DB.prepare("SELECT uuid FROM events WHERE distinct_id = ?").bind(distinctId),
    env.DB.prepare("SELECT day FROM daily_active_installs WHERE distinct_id = ? ORDER BY day").bind(distinctId),
    env.DB.prepare("SELECT forgotten_at FROM forgotten_installs WHERE distinct_id = ?").bind(distinctId),
  ]);
  return {
    events: events?.results.length ?? 0,
    days: installs?.results.map((r) => (r as { day: string }).day),
    tombstones: tombstones?.results.length ?? 0,
  };
}

const countsOf = async () =>
  (await env.DB.prepare("SELECT day, event, count FROM daily_event_counts ORDER BY day, event").all()).results;

/** Events of `install` on two days, and of another install, stored through the queue consumer. */
async function storeEventsOf(install: string, other: string, targetEnv: Env = env) {
  const day1 = Date.parse("2026-11-20T10:00:00Z");
  const day2 = Date.parse("2026-11-21T10:00:00Z");
  await deliver(
    [
      batchMessage([
        storedEvent({ distinct_id: install, timestamp: day1 }),
        storedEvent({ distinct_id: install, timestamp: day1 }),
        storedEvent({ distinct_id: install, timestamp: day2 }),
        storedEvent({ distinct_id: other, timestamp: day1 }),
      ]),
    ],
    targetEnv,
  );
}

describe("POST /v1/forget", () => {
  it("deletes the install's raw rows and daily rows, rewrites its archive days, keeps the counts, and leaves a tombstone", async () => {
    const install = crypto.randomUUID();
    const other = crypto.randomUUID();
    await storeEventsOf(install, other, debugEnv);
    const counts = await countsOf();
    expect(await rows(install)).toEqual({ events: 3, days: ["2026-11-20", "2026-11-21"], tombstones: 0 });
    expect(await archivedOf(install)).toBe(3);

    const res = await forget(install.toUpperCase());
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      distinct_id: install,
      deleted: { events: 3, install_days: 2 },
      // The one day its events arrived on (both of its days' events came in one delivery).
      archive: { days_to_rewrite: 1 },
      complete: true,
    });
    expect(await rows(install)).toEqual({ events: 0, days: [], tombstones: 1 });
    expect(await rows(other)).toEqual({ events: 1, days: ["2026-11-20"], tombstones: 0 });
    expect(await countsOf()).toEqual(counts);

    // The hourly job rewrites the archive days without the install; others' events stay.
    await runHourlyCron();
    expect(await archivedOf(install)).toBe(0);
    expect(await archivedOf(other)).toBe(1);
    expect((await env.DB.prepare("SELECT COUNT(*) AS n FROM archive_scrubs").first<{ n: number }>())?.n).toBe(0);

    // Asking again is harmless.
    const again = await forget(install);
    expect(await again.json()).toMatchObject({ deleted: { events: 0, install_days: 0 } });
  });

  it("stores and counts nothing more under a forgotten id (events still in the queue are discarded)", async () => {
    const install = crypto.randomUUID();
    const other = crypto.randomUUID();
    expect((await forget(install)).status).toBe(200);
    const counts = await countsOf();
    await storeEventsOf(install, other);
    expect(await rows(install)).toEqual({ events: 0, days: [], tombstones: 1 });
    expect(await archivedOf(install)).toBe(0);
    expect(await archivedOf(other)).toBe(1);
    const after = (await countsOf()) as { count: number }[];
    const total = (list: unknown[]) => (list as { count: number }[]).reduce((n, r) => n + r.count, 0);
    expect(total(after) - total(counts)).toBe(1); // only the other install's event
  });

  it.each([
    ["no install id", { app: "teleport-connect" }, "invalid_body"],
    ["an install id that is not a string", { app: "teleport-connect", distinct_id: 42 }, "invalid_body"],
    ["an app not in the catalogue", { app: "nope", distinct_id: crypto.randomUUID() }, "unknown_app"],
    ["a body that is not JSON", "{", "invalid_json"],
  ])("answers 400 to %s", async (_, body, error) => {
    const res = await post("/v1/forget", body, { ip: randomIp() });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error, message: expect.any(String) });
  });

  it("is rate-limited like the install's events", async () => {
    const install = crypto.randomUUID();
    const ip = randomIp();
    // The install's bucket (1 000 events) spent by one batch…
    const events = await postEvents(eventsBody(install, 1000), {}, { ip });
    expect(events.status).toBe(202);
    // …leaves nothing for a forget request of that install.
    const res = await forget(install);
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(await res.json()).toMatchObject({ error: "rate_limited", limit: "install" });
  });

  it("answers a browser's preflight (web UIs call it cross-origin)", async () => {
    const res = await call("/v1/forget", {
      method: "OPTIONS",
      headers: { origin: "https://app.example.com", "access-control-request-method": "POST" },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-origin")).toBe("*");
  });
});

describe("forgetInstall", () => {
  it("deletes raw events in chunks and says when a further request must finish the job", async () => {
    const install = crypto.randomUUID();
    await deliver([batchMessage(Array.from({ length: 5 }, () => storedEvent({ distinct_id: install })))], debugEnv);
    const chunks = { size: 2, perRequest: 2 };
    const now = Date.parse("2026-11-22T12:00:00Z");
    const first = await forgetInstall(eventDatabases(env), [install, install], now, bounds(now), chunks);
    expect(first).toEqual({ events: 4, installDays: 0, archiveDays: 0, complete: false });
    expect(await rows(install)).toEqual({ events: 1, days: ["2026-11-20"], tombstones: 1 });
    const second = await forgetInstall(eventDatabases(env), [install, install], now, bounds(now), chunks);
    // Its events all arrived on 2026-11-20.
    expect(second).toEqual({ events: 1, installDays: 1, archiveDays: 1, complete: true });
    expect(await rows(install)).toEqual({ events: 0, days: [], tombstones: 1 });
  });

  it("finds raw events through the received_at index, never by scanning the whole table", async () => {
    const plan = await env.DB.prepare(
      "EXPLAIN QUERY PLAN SELECT id FROM events WHERE received_at >= ?3 AND distinct_id IN (?1, ?2) LIMIT ?4",
    )
      .bind("a", "b", 0, 10)
      .all<{ detail: string }>();
    expect(plan.results.map((step) => step.detail)).toEqual([
      "SEARCH events USING INDEX events_received_at (received_at>?)",
    ]);
  });

  it("finds an event whose timestamp ran ahead of its receipt (the clock correction allows 23 h)", async () => {
    const install = crypto.randomUUID();
    const receivedAt = Date.parse("2026-11-20T01:00:00Z");
    const timestamp = receivedAt + 23 * 3_600_000; // 2026-11-21T00:00Z: the install's only day is the next one
    await deliver(
      [batchMessage([storedEvent({ distinct_id: install, timestamp })], { received_at: receivedAt })],
      debugEnv,
    );
    expect(await rows(install)).toMatchObject({ events: 1, days: ["2026-11-21"] });
    const now = Date.parse("2026-11-21T12:00:00Z");
    expect(await forgetInstall(eventDatabases(env), [install, install], now, bounds(now))).toEqual({
      events: 1,
      installDays: 1,
      archiveDays: 1, // 11-20: the day it arrived on, the day before its own
      complete: true,
    });
  });
});
