import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { MAX_RETRY_SECONDS, retryDelaySeconds } from "../../src/lib/backoff";
import { DAY_MS } from "../../src/lib/time";
import { eventually } from "../helpers/events";
import { operatorCall, operatorGet } from "../helpers/harness";
import { batchMessage, dedupeKeysOf, deliver, storedEvent, unavailableDb } from "../helpers/queue";

/** The consumer's `max_retries` (wrangler.toml): deliveries after the first before dead-lettering. */
const MAX_RETRIES = 100;

/** Times an event was stored: its dedupe key (the archive may hold it more than once). */
const countOf = (uuid: string) => dedupeKeysOf(uuid);

async function eventsCounted(day: string): Promise<number> {
  const row = await env.DB.prepare("SELECT COALESCE(SUM(count), 0) AS n FROM daily_event_counts WHERE day = ?1")
    .bind(day)
    .first<{ n: number }>();
  return row?.n ?? 0;
}

describe("a D1 outage", () => {
  it("is outlasted: delays grow to an hour, retries span more than a day, and the events count once after", async () => {
    const day = "2026-10-01";
    const event = storedEvent({ timestamp: Date.parse(`${day}T08:00:00Z`) });
    const message = batchMessage([event]);
    const id = `msg-outage-${crypto.randomUUID()}`;

    // Every delivery while D1 is away is retried, never acknowledged, each time later.
    let waitedSeconds = 0;
    const delays: number[] = [];
    for (let attempts = 1; attempts <= MAX_RETRIES; attempts++) {
      const result = await deliver([message], { ...env, DB: unavailableDb }, { attempts, ids: [id] });
      expect(result.explicitAcks).toEqual([]);
      expect(result.retryMessages.map((m: { msgId: string }) => m.msgId)).toEqual([id]);
      const delay = result.retryDelays[id] ?? 0;
      delays.push(delay);
      waitedSeconds += delay;
      if (waitedSeconds * 1000 > DAY_MS) break; // a simulated day has passed
    }
    expect(delays.slice(0, 4)).toEqual([10, 20, 40, 80]);
    expect(Math.max(...delays)).toBe(MAX_RETRY_SECONDS);
    expect(delays.length).toBeLessThan(MAX_RETRIES); // the day ends before the retries do
    const total = Array.from({ length: MAX_RETRIES }, (_, i) => retryDelaySeconds(i + 1)).reduce((a, b) => a + b);
    expect(total * 1000).toBeGreaterThan(3 * DAY_MS);

    // D1 is back: the next delivery stores it, and a redelivery adds nothing.
    const back = await deliver([message], env, { attempts: delays.length + 1, ids: [id] });
    expect(back.explicitAcks).toEqual([id]);
    await deliver([message], env, { attempts: delays.length + 2, ids: [id] });
    expect(await countOf(event.uuid)).toBe(1);
    expect(await eventsCounted(day)).toBe(1);
  });

  it("longer than the retries: dead letters are parked, counted in the stats, and re-driven exactly once", async () => {
    const day = "2026-10-02";
    const events = [0, 1, 2].map((i) => storedEvent({ timestamp: Date.parse(`${day}T0${i}:00:00Z`) }));
    const messages = [batchMessage(events.slice(0, 2)), batchMessage(events.slice(2))];

    // The dead-letter queue delivers them; they are parked (twice: parked once).
    const parkedIds = messages.map(() => `msg-dlq-${crypto.randomUUID()}`);
    for (let i = 0; i < 2; i++) {
      const result = await deliver(messages, env, { queue: "edgehog-events-dlq", attempts: 1, ids: parkedIds });
      expect([...result.explicitAcks].sort()).toEqual([...parkedIds].sort());
    }
    const health = await operatorGet<{
      dead_letters: { parked: number; queues: { queue: string; messages: number }[] };
    }>("/v1/stats/health");
    expect(health.dead_letters.queues).toContainEqual(
      expect.objectContaining({ queue: "edgehog-events", messages: 2 }),
    );

    // Parking itself retries while D1 is away.
    const stillDown = await deliver(messages, { ...env, DB: unavailableDb }, { queue: "edgehog-events-dlq" });
    expect(stillDown.explicitAcks).toEqual([]);

    // Re-drive: back to the queue, consumed, each event counted once; a second re-drive has nothing left.
    const listed = (await operatorCall<{ oldest: { id: string }[] }>("GET", "/v1/admin/dead-letters")).body;
    expect(listed.oldest.map((m) => m.id)).toEqual(expect.arrayContaining(parkedIds));
    const redrive = (
      await operatorCall<{ redriven: number; still_parked: number }>("POST", "/v1/admin/dead-letters/redrive", {})
    ).body;
    expect(redrive).toEqual({ queue: "edgehog-events", redriven: 2, still_parked: 0 });
    await eventually(async () => ((await eventsCounted(day)) === 3 ? true : undefined));
    expect((await operatorCall("POST", "/v1/admin/dead-letters/redrive", {})).body).toMatchObject({ redriven: 0 });
    // Re-sending the same messages again (an interrupted re-drive) changes nothing.
    await deliver(messages);
    expect(await eventsCounted(day)).toBe(3);
    for (const event of events) expect(await countOf(event.uuid)).toBe(1);
  });
});
