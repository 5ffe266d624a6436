import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { RateLimiterShard, SAVE_DELAY_MS } from "../../src/ratelimit/durable-object";
import type { BucketCharge } from "../../src/ratelimit/protocol";
import { uniqueKey } from "./helpers";

// A limiter object's buckets: answered from memory, written to SQLite together within
// SAVE_DELAY_MS, read back by a fresh instance (a restart), and never purged while a change
// is still unwritten.

const shape = { capacity: 100, perSecond: 1 };
const charge = (key: string, cost: number): BucketCharge => ({ key, cost, lease: 0, ...shape });

function rowOf(state: DurableObjectState, key: string): { tokens: number; full_at_ms: number } | undefined {
  return state.storage.sql
    .exec<{ tokens: number; full_at_ms: number }>("SELECT tokens, full_at_ms FROM buckets WHERE key = ?", key)
    .toArray()[0];
}

const shard = () => env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(uniqueKey("shard")));

/** Charged 10 s ago and saved: its row says it was full again 9 s ago, so a purge may delete it. */
function chargedLongAgo(instance: RateLimiterShard, key: string): void {
  instance.take({ nowMs: Date.now() - 10_000, charges: [charge(key, 1)] });
  instance.save();
}

describe("RateLimiterShard's saved buckets", () => {
  it("answers from memory, writes the changed buckets within the save delay, and a restart reads them back", async () => {
    const key = uniqueKey("saved");
    const stub = shard();
    await runInDurableObject(stub, (instance: RateLimiterShard, state) => {
      expect(instance.take({ nowMs: Date.now(), charges: [charge(key, 30)] }).ok).toBe(true);
      expect(instance.take({ nowMs: Date.now(), charges: [charge(key, 30)] }).ok).toBe(true);
      expect(rowOf(state, key)).toBeUndefined();
    });
    await new Promise((resolve) => setTimeout(resolve, SAVE_DELAY_MS + 500));
    await runInDurableObject(stub, (_instance: RateLimiterShard, state) => {
      const row = rowOf(state, key);
      expect(row?.tokens).toBeGreaterThanOrEqual(40);
      expect(row?.tokens).toBeLessThan(42);
      // A fresh instance over the same storage, as after a restart: 40 left, so 50 is refused.
      const restarted = new RateLimiterShard(state, env);
      expect(restarted.take({ nowMs: Date.now(), charges: [charge(key, 50)] }).ok).toBe(false);
      expect(restarted.take({ nowMs: Date.now(), charges: [charge(key, 40)] }).ok).toBe(true);
    });
  });

  it("writes unsaved buckets before purging, so a bucket charged since its row was written is kept", async () => {
    const key = uniqueKey("purge");
    await runInDurableObject(shard(), async (instance: RateLimiterShard, state) => {
      chargedLongAgo(instance, key);
      expect(rowOf(state, key)?.full_at_ms).toBeLessThan(Date.now());
      // Charged again now, not yet written: full again only in 60 s.
      instance.take({ nowMs: Date.now(), charges: [charge(key, 60)] });
      await instance.alarm();
      expect(rowOf(state, key)?.full_at_ms).toBeGreaterThan(Date.now());
      // The purge kept it: 40 left, so 50 is refused.
      expect(instance.take({ nowMs: Date.now(), charges: [charge(key, 50)] }).ok).toBe(false);
    });
  });

  it("keeps a bucket in memory and tries again when its row cannot be written, even through a purge", async () => {
    const key = uniqueKey("unwritable");
    await runInDurableObject(shard(), async (instance: RateLimiterShard, state) => {
      chargedLongAgo(instance, key);
      const { sql } = state.storage;
      const exec = sql.exec.bind(sql);
      // Writes fail from here on (a full disk, say); reads and deletes still work.
      sql.exec = ((query: string, ...bindings: unknown[]) => {
        if (query.includes("INSERT")) throw new Error("disk full (test)");
        return exec(query, ...bindings);
      }) as typeof sql.exec;
      try {
        instance.take({ nowMs: Date.now(), charges: [charge(key, 60)] });
        await instance.alarm(); // its save fails; the purge deletes the old row
        expect(rowOf(state, key)).toBeUndefined();
        expect(instance.take({ nowMs: Date.now(), charges: [charge(key, 50)] }).ok).toBe(false);
      } finally {
        sql.exec = exec;
      }
      instance.save();
      expect(rowOf(state, key)?.full_at_ms).toBeGreaterThan(Date.now());
    });
  });
});
