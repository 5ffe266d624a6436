import { describe, expect, it } from "vitest";
import { LocalAllowance } from "../../src/ratelimit/local-allowance";
import { rateLimitMetrics } from "../../src/ratelimit/metrics";
import { shardOf } from "../../src/ratelimit/shards";
import { limitsWith, ManualClock, testLimiter, uniqueKey } from "./helpers";

// Small buckets: capacity / 20 rounds down to 0, so these tests exercise the objects without leases.
const small = limitsWith({ install: { capacity: 10, perSecond: 1 }, client: { capacity: 10, perSecond: 1 } });

describe("token bucket in the RateLimiterShard objects", () => {
  it("allows a burst up to the capacity, then refuses", async () => {
    const clock = new ManualClock();
    const limiter = testLimiter(small, clock);
    const key = uniqueKey("burst");
    expect(await limiter.check([{ kind: "install", key, cost: 10 }], { onError: "closed" })).toMatchObject({
      ok: true,
    });
    expect(await limiter.check([{ kind: "install", key, cost: 1 }], { onError: "closed" })).toMatchObject({
      ok: false,
      limit: "install",
      retryAfterSeconds: 1,
    });
  });

  it("refills over time at the configured rate (injected clock, no sleeping)", async () => {
    const clock = new ManualClock();
    const limiter = testLimiter(small, clock);
    const key = uniqueKey("refill");
    expect((await limiter.check([{ kind: "install", key, cost: 10 }], { onError: "closed" })).ok).toBe(true);

    const drained = await limiter.check([{ kind: "install", key, cost: 5 }], { onError: "closed" });
    expect(drained).toMatchObject({ ok: false, retryAfterSeconds: 5 });

    clock.advance(3000);
    for (let i = 0; i < 3; i++) {
      expect((await limiter.check([{ kind: "install", key, cost: 1 }], { onError: "closed" })).ok).toBe(true);
    }
    expect((await limiter.check([{ kind: "install", key, cost: 1 }], { onError: "closed" })).ok).toBe(false);

    // Refill stops at the capacity, however long the key was idle.
    clock.advance(3_600_000);
    expect((await limiter.check([{ kind: "install", key, cost: 10 }], { onError: "closed" })).ok).toBe(true);
    expect((await limiter.check([{ kind: "install", key, cost: 1 }], { onError: "closed" })).ok).toBe(false);
  });

  it("keeps keys and limit kinds apart", async () => {
    const clock = new ManualClock();
    const limiter = testLimiter(small, clock);
    const a = uniqueKey("a");
    const b = uniqueKey("b");
    expect((await limiter.check([{ kind: "install", key: a, cost: 10 }], { onError: "closed" })).ok).toBe(true);
    expect((await limiter.check([{ kind: "install", key: a, cost: 1 }], { onError: "closed" })).ok).toBe(false);
    expect((await limiter.check([{ kind: "install", key: b, cost: 10 }], { onError: "closed" })).ok).toBe(true);
    // The same key string under another kind is another bucket.
    expect((await limiter.check([{ kind: "client", key: a, cost: 10 }], { onError: "closed" })).ok).toBe(true);
  });

  it("admits a multi-key request whole or refuses it whole, across shards", async () => {
    const clock = new ManualClock();
    const limiter = testLimiter(small, clock);
    const roomy = uniqueKey("roomy");
    // A drained key on another object than the roomy one, so the refund path is exercised.
    let drained = uniqueKey("drained");
    while (shardOf(`client:${drained}`, small.shards) === shardOf(`install:${roomy}`, small.shards)) {
      drained = uniqueKey("drained");
    }
    expect((await limiter.check([{ kind: "client", key: drained, cost: 10 }], { onError: "closed" })).ok).toBe(true);

    const refused = await limiter.check(
      [
        { kind: "install", key: roomy, cost: 6 },
        { kind: "client", key: drained, cost: 6 },
      ],
      { onError: "closed" },
    );
    expect(refused).toMatchObject({ ok: false, limit: "client" });

    // Nothing was taken from the roomy bucket: a fresh isolate can still spend all of it.
    const other = testLimiter(small, clock);
    expect((await other.check([{ kind: "install", key: roomy, cost: 10 }], { onError: "closed" })).ok).toBe(true);
  });

  it("serves repeat requests from a leased allowance without calling an object", async () => {
    const clock = new ManualClock();
    // capacity 2000: each call to an object leases min(1000, 2000 / 20) = 100 extra tokens.
    const limits = limitsWith({ app: { capacity: 2000, perSecond: 1 } });
    const limiter = testLimiter(limits, clock);
    const key = uniqueKey("lease");
    expect((await limiter.check([{ kind: "app", key, cost: 10 }], { onError: "closed" })).ok).toBe(true);
    const callsAfterFirst = rateLimitMetrics.remoteCalls;
    for (let i = 0; i < 10; i++) {
      expect((await limiter.check([{ kind: "app", key, cost: 10 }], { onError: "closed" })).ok).toBe(true);
    }
    expect(rateLimitMetrics.remoteCalls).toBe(callsAfterFirst);
    // The lease ran out: the next request renews it from the object.
    expect((await limiter.check([{ kind: "app", key, cost: 10 }], { onError: "closed" })).ok).toBe(true);
    expect(rateLimitMetrics.remoteCalls).toBe(callsAfterFirst + 1);
  });

  it("doubles a key's lease while each one is spent in time, up to 1/20 of the capacity, and starts over after a lapse", async () => {
    const clock = new ManualClock();
    const allowance = new LocalAllowance();
    // capacity 1,000,000: leases may grow to 50,000; the object gives at most a tenth of what is left.
    const limits = limitsWith({ app: { capacity: 1_000_000, perSecond: 1 } });
    const limiter = testLimiter(limits, clock, allowance);
    const key = uniqueKey("growing-lease");
    const leases: number[] = [];
    const callsBefore = rateLimitMetrics.remoteCalls;
    for (let i = 0; i < 200; i++) {
      const calls = rateLimitMetrics.remoteCalls;
      expect((await limiter.check([{ kind: "app", key, cost: 1000 }], { onError: "closed" })).ok).toBe(true);
      if (rateLimitMetrics.remoteCalls > calls) leases.push(allowance.leased(`app:${key}`, clock.nowMs));
    }
    expect(leases).toEqual([1000, 2000, 4000, 8000, 16_000, 32_000, 50_000, 50_000, 50_000]);
    // 200,000 tokens spent in 9 calls, where leases of a fixed 1,000 would have taken 100.
    expect(rateLimitMetrics.remoteCalls - callsBefore).toBe(9);

    // The lease lapses unspent: the next one is the first size again.
    clock.advance(limits.leaseMs);
    expect((await limiter.check([{ kind: "app", key, cost: 1000 }], { onError: "closed" })).ok).toBe(true);
    expect(allowance.leased(`app:${key}`, clock.nowMs)).toBe(1000);
  });

  it("stops waiting for another request's stuck lease renewal and asks the object itself", async () => {
    // Waiting on another request's promise with no I/O of its own gets a request cancelled as
    // hung by the runtime; the wait must be bounded by a timer of the waiting request.
    const clock = new ManualClock();
    const allowance = new LocalAllowance();
    // The same bound then limits the call to the object: long enough for a busy machine.
    const limiter = testLimiter({ ...limitsWith(), timeoutMs: 500 }, clock, allowance);
    const key = uniqueKey("stuck-lease");
    expect(allowance.claimLease(`app:${key}`)).toBe(true); // a renewal that never answers
    const callsBefore = rateLimitMetrics.remoteCalls;
    const decision = await limiter.check([{ kind: "app", key, cost: 1 }], { onError: "closed" });
    expect(decision.ok).toBe(true);
    expect(rateLimitMetrics.remoteCalls).toBe(callsBefore + 1);
  });

  it("never admits more than the bucket holds, however many isolates lease from it", async () => {
    const clock = new ManualClock();
    const limits = limitsWith({ app: { capacity: 400, perSecond: 1 } });
    const key = uniqueKey("isolates");
    const isolates = Array.from({ length: 4 }, () => testLimiter(limits, clock, new LocalAllowance()));
    let admitted = 0;
    for (let round = 0; round < 200; round++) {
      for (const limiter of isolates) {
        if ((await limiter.check([{ kind: "app", key, cost: 1 }], { onError: "closed" })).ok) admitted++;
      }
    }
    expect(admitted).toBeLessThanOrEqual(400);
    expect(admitted).toBeGreaterThan(300);
  });

  it("refuses from a cached denial without calling an object, until refill could pay", async () => {
    const clock = new ManualClock();
    const limiter = testLimiter(small, clock);
    const key = uniqueKey("denied");
    await limiter.check([{ kind: "install", key, cost: 10 }], { onError: "closed" });
    expect((await limiter.check([{ kind: "install", key, cost: 4 }], { onError: "closed" })).ok).toBe(false);
    const calls = rateLimitMetrics.remoteCalls;
    const localDenials = rateLimitMetrics.localDenials;
    const again = await limiter.check([{ kind: "install", key, cost: 4 }], { onError: "closed" });
    expect(again).toMatchObject({ ok: false, retryAfterSeconds: 4 });
    expect(rateLimitMetrics.remoteCalls).toBe(calls);
    expect(rateLimitMetrics.localDenials).toBe(localDenials + 1);
    clock.advance(4000);
    expect((await limiter.check([{ kind: "install", key, cost: 4 }], { onError: "closed" })).ok).toBe(true);
  });
});
