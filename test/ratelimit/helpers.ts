import { env } from "cloudflare:workers";
import { type BucketLimit, type LimitKind, type RateLimits, rateLimitsOf } from "../../src/ratelimit/config";
import { RateLimiter } from "../../src/ratelimit/limiter";
import { LocalAllowance } from "../../src/ratelimit/local-allowance";

/** A clock the test moves by hand: refill is tested without sleeping. */
export class ManualClock {
  constructor(public nowMs = Date.UTC(2026, 0, 15, 12, 0, 0)) {}
  advance(ms: number): void {
    this.nowMs += ms;
  }
  readonly now = (): number => this.nowMs;
}

/** The configured limits (wrangler.toml defaults), with some buckets replaced. */
export function limitsWith(buckets: Partial<Record<LimitKind, BucketLimit>> = {}): RateLimits {
  const base = rateLimitsOf(env);
  // A generous timeout: a local object's first start can be slow on a busy machine, and these
  // tests are about the buckets, not about failing open.
  return { ...base, timeoutMs: 10_000, buckets: { ...base.buckets, ...buckets } };
}

/**
 * A limiter over the real RATE_LIMITER objects with its own isolate-local memory, as a fresh
 * isolate would have. Keys must be unique per test: the objects keep their buckets.
 */
export function testLimiter(limits: RateLimits, clock: ManualClock, allowance = new LocalAllowance()): RateLimiter {
  return new RateLimiter({ namespace: env.RATE_LIMITER, limits, now: clock.now, allowance });
}

export function uniqueKey(label: string): string {
  return `${label}-${crypto.randomUUID()}`;
}

/** A limiter namespace whose objects fail every call as `failure` does (throw, or never answer). */
export function failingNamespace(failure: () => Promise<never>): Env["RATE_LIMITER"] {
  const stub = { take: failure, refund: failure };
  return {
    idFromName: (name: string) => env.RATE_LIMITER.idFromName(name),
    get: () => stub,
  } as unknown as Env["RATE_LIMITER"];
}
