import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { scrubArchive } from "../../src/archive/scrub";
import { DAY_MS, HOUR_MS } from "../../src/lib/time";
import { forget } from "../helpers/harness";
import { d1Meter, meteredD1, meteredR2, r2Meter } from "../helpers/metered";
import { batchMessage, deliver, storedEvent } from "../helpers/queue";

/**
 * What one forget costs (D1 rows written, archive objects read and written), for an install
 * like a real one, and what a flood of forgets of ids never seen costs: the figures of
 * docs/CLIENT.md, measured here with the local D1's `meta` counts and a counting R2 binding.
 */

const dayStart = (daysAgo: number) => Math.floor(Date.now() / DAY_MS) * DAY_MS - daysAgo * DAY_MS;

describe("the cost of forgetting", () => {
  it("one install active on 20 of the last 30 days, among others' traffic (24 objects a day)", async () => {
    const install = crypto.randomUUID();
    // 41 days of others' traffic, one delivery an hour; the install's events in the 10:00 one
    // of each of its active days (today-29 … today-10), those of its last day arriving 2 days late.
    for (let ago = 40; ago >= 0; ago--) {
      for (let hour = 0; hour < 24; hour++) {
        const receivedAt = dayStart(ago) + hour * HOUR_MS + 5 * 60_000;
        const events = Array.from({ length: 5 }, () => storedEvent({ timestamp: receivedAt - 60_000 }));
        const own = (eventDaysAgo: number) =>
          Array.from({ length: 10 }, () =>
            storedEvent({ distinct_id: install, timestamp: dayStart(eventDaysAgo) + 9 * HOUR_MS }),
          );
        if (hour === 10 && ago >= 11 && ago <= 29) events.push(...own(ago));
        if (hour === 10 && ago === 8) events.push(...own(10));
        await deliver([batchMessage(events, { received_at: receivedAt })]);
      }
    }
    const d1 = d1Meter();
    const forgetDb = meteredD1(env.DB, d1);
    const res = await forget(install, { bindings: { DB: forgetDb }, ip: "198.51.100.7" });
    expect(res.status).toBe(200);
    const answer = (await res.json()) as { archive: { days_to_rewrite: number } };
    const forgetRows = d1.rowsWritten;

    const r2 = r2Meter();
    const bucket = meteredR2(env.ARCHIVE, r2);
    let runs = 0;
    for (; runs < 100; runs++) {
      const pending = await env.DB.prepare("SELECT COUNT(*) AS n FROM archive_scrubs").first<{ n: number }>();
      if (!pending?.n) break;
      await scrubArchive(forgetDb, bucket);
    }
    console.log(
      `one forget: ${answer.archive.days_to_rewrite} archive days scheduled; ${forgetRows} D1 rows written by the request, ` +
        `${d1.rowsWritten - forgetRows} by ${runs} scrub runs; ${r2.gets} objects read, ${r2.puts} rewritten, ${r2.deletes} deleted, ${r2.lists} lists`,
    );
    // Exactly the 20 days its events arrived on, each read once: 20 × 24 objects, 20 of them rewritten.
    expect(answer.archive.days_to_rewrite).toBe(20);
    expect(r2.gets).toBe(20 * 24);
    expect(r2.puts + r2.deletes).toBe(20);
    // The tombstone and its archive hold, 20 days scheduled, 20 install-day rows deleted; one row a day crossed off.
    expect(forgetRows).toBe(2 + 20 + 20);
    expect(d1.rowsWritten - forgetRows).toBe(20);
  }, 300_000);

  // docs/CLIENT.md gives the figures of 10,000 (this with FLOOD = 10_000): 96 admitted, 96 rows.
  const FLOOD = 300;
  it(`${FLOOD} forgets of ids never seen, each from its own address: the app's forget allowance bounds the tombstones`, async () => {
    const d1 = d1Meter();
    const db = meteredD1(env.DB, d1);
    const statuses = new Map<number, number>();
    for (let i = 0; i < FLOOD; i++) {
      const res = await forget(crypto.randomUUID(), {
        bindings: { DB: db },
        ip: `198.18.${(i >> 8) & 255}.${i & 255}`,
      });
      statuses.set(res.status, (statuses.get(res.status) ?? 0) + 1);
      await res.body?.cancel();
    }
    const tombstones = await env.DB.prepare("SELECT COUNT(*) AS n FROM forgotten_installs").first<{ n: number }>();
    console.log(
      `${FLOOD} forgets of never-seen ids: ${JSON.stringify(Object.fromEntries(statuses))}; ` +
        `${d1.rowsWritten} D1 rows written, ${d1.rowsRead} read; ${tombstones?.n} tombstones`,
    );
    const admitted = statuses.get(200) ?? 0;
    expect(admitted).toBeGreaterThan(0);
    expect(admitted).toBeLessThanOrEqual(100); // RATE_LIMIT_FORGET_APP_CAPACITY
    expect(statuses.get(429)).toBe(FLOOD - admitted);
    // One tombstone row each, nothing for a refused one but the 429s' counters: added at most once
    // a minute per isolate, a row per limit that refused (src/ratelimit/refusals.ts).
    expect(d1.rowsWritten - admitted).toBeGreaterThanOrEqual(0);
    expect(d1.rowsWritten - admitted).toBeLessThanOrEqual(2);
  }, 600_000);
});
