import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { type DeliveryPlan, planDelivery } from "../../src/aggregate/plan";
import { STORED_BEFORE, shardStatements } from "../../src/aggregate/statements";
import type { BatchMessage } from "../../src/ingest/queue-message";
import { DAY_MS } from "../../src/lib/time";
import { aggregatesSnapshot, batchMessage, deliver, storedEvent } from "../helpers/queue";

/**
 * The two ways a delivery is stored (statements.ts), each on its own: the consumer picks one,
 * so its tests alone cannot tell which way ran.
 */

const planOf = (messages: BatchMessage[]): DeliveryPlan =>
  planDelivery(messages, { shardCount: 1, shardOf: () => 0, windowMs: 30 * DAY_MS, keepRaw: false });

async function store(db: D1Database, messages: BatchMessage[], way: "all new" | "checked") {
  const plan = planOf(messages);
  const shard = plan.shards[0];
  if (!shard) throw new Error("no shard");
  return db.batch(shardStatements(db, shard, plan.counters, Date.now(), way).statements);
}

describe("storing a delivery", () => {
  it("the all-new way stores new events as the checked way does", async () => {
    const messages = [
      batchMessage([storedEvent(), storedEvent({ app_version: "17.0.2" }), storedEvent()], {
        rejections: { invalid_uuid: 2 },
      }),
      batchMessage([storedEvent({ event: "connect.cluster.login" })]),
    ];
    await store(env.DB, messages, "all new");
    await store(env.EVENTS_DB_2, messages, "checked");
    const allNew = await aggregatesSnapshot(env.DB);
    expect(allNew.dedupeKeys).toBe(4);
    expect(allNew).toEqual(await aggregatesSnapshot(env.EVENTS_DB_2));
  });

  it("the all-new way fails, storing nothing, when an event of the delivery is stored already", async () => {
    const old = storedEvent();
    await deliver([batchMessage([old])]);
    const before = await aggregatesSnapshot(env.DB);
    const again = [batchMessage([old, storedEvent()], { rejections: { invalid_uuid: 1 } })];
    await expect(store(env.DB, again, "all new")).rejects.toThrow(STORED_BEFORE);
    expect(await aggregatesSnapshot(env.DB)).toEqual(before);
    // The checked way then counts the new event only.
    await store(env.DB, again, "checked");
    const after = await aggregatesSnapshot(env.DB);
    expect(after.dedupeKeys).toBe(before.dedupeKeys + 1);
    const rejected = (snapshot: typeof before) =>
      (snapshot.rejections as { error: string; count: number }[])
        .filter((row) => row.error === "invalid_uuid")
        .reduce((n, row) => n + row.count, 0);
    expect(rejected(after)).toBe(rejected(before) + 1);
  });

  it("the all-new way fails when an install of the delivery is forgotten", async () => {
    const event = storedEvent();
    await env.DB.prepare("INSERT INTO forgotten_installs (distinct_id, forgotten_at) VALUES (?1, ?2)")
      .bind(event.distinct_id, Date.now())
      .run();
    await expect(store(env.DB, [batchMessage([event])], "all new")).rejects.toThrow(STORED_BEFORE);
  });
});
