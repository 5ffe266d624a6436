import { describe, expect, it } from "vitest";
import { publicBatchCharges } from "../../src/ratelimit/middleware";
import { limitsWith, ManualClock, testLimiter, uniqueKey } from "./helpers";

// The wrangler.toml defaults, checked against what real clients do.
const defaults = limitsWith();
const app = "teleport-connect";

describe("default limits", () => {
  it("limit one distinct_id sending 10,000 events within 10 seconds", async () => {
    const clock = new ManualClock();
    const limiter = testLimiter(defaults, clock);
    const client = uniqueKey("runaway-client");
    const install = crypto.randomUUID();
    let admitted = 0;
    const refusedBy = new Set<string>();
    // 100 batches of 100 events, one every 100 ms.
    for (let i = 0; i < 100; i++) {
      const charges = publicBatchCharges(client, { app, received: 100, distinctIds: Array(100).fill(install) });
      const decision = await limiter.check(charges, { onError: "closed" });
      if (decision.ok) admitted += 100;
      else refusedBy.add(decision.limit);
      clock.advance(100);
    }
    expect(admitted).toBeLessThan(10_000);
    expect(admitted).toBeLessThanOrEqual(defaults.buckets.install.capacity + 10 * defaults.buckets.install.perSecond);
    expect(refusedBy.has("install")).toBe(true);
  });

  it("do not limit 1,000 installs sending 20 events each within 10 seconds", async () => {
    const clock = new ManualClock();
    const limiter = testLimiter(defaults, clock);
    let refused = 0;
    // Ten waves of 100 installs, one wave per second; each install behind its own address.
    for (let wave = 0; wave < 10; wave++) {
      const decisions = await Promise.all(
        Array.from({ length: 100 }, () =>
          limiter.check(
            publicBatchCharges(uniqueKey("client"), {
              app,
              received: 20,
              distinctIds: Array(20).fill(crypto.randomUUID()),
            }),
            { onError: "closed" },
          ),
        ),
      );
      refused += decisions.filter((decision) => !decision.ok).length;
      clock.advance(1000);
    }
    expect(refused).toBe(0);
  });
});
