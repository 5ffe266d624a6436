import { z } from "zod";
import { flag, positiveInt, positiveNumber, varsReader } from "../lib/vars";

/** The rate limiter's vars (wrangler.toml), parsed once; see docs/RATE_LIMITING.md for the defaults. */

/** What each limit counts. */
export type LimitKind = "app" | "client" | "install" | "tenant" | "auth_failures" | "client_forgets" | "app_forgets";

/** One token bucket: `capacity` is the burst, `perSecond` the sustained rate. */
export interface BucketLimit {
  capacity: number;
  perSecond: number;
}

export interface RateLimits {
  enabled: boolean;
  /** Secret from which the daily salt of the client (IP) key is derived. */
  saltSecret: string;
  /** Number of Durable Objects the buckets are spread over. */
  shards: number;
  /** Longest wait for a limiter object before failing open. */
  timeoutMs: number;
  /** How long an isolate may spend allowance it leased from an object. */
  leaseMs: number;
  /** Largest lease taken for one key; the lease is also capped at 1/20 of the capacity. */
  leaseMaxTokens: number;
  buckets: Record<LimitKind, BucketLimit>;
}

/** The shortest RATE_LIMIT_SALT_SECRET accepted while rate limiting is on. */
export const MIN_SALT_SECRET_LENGTH = 16;

const schema = z
  .object({
    RATE_LIMIT_ENABLED: flag(true),
    RATE_LIMIT_SALT_SECRET: z.string().optional(),
    RATE_LIMIT_SHARDS: positiveInt(16),
    RATE_LIMIT_TIMEOUT_MS: positiveInt(250),
    RATE_LIMIT_LEASE_MS: positiveInt(1000),
    RATE_LIMIT_LEASE_MAX_TOKENS: positiveInt(100_000),
    RATE_LIMIT_APP_CAPACITY: positiveInt(60_000),
    RATE_LIMIT_APP_PER_SECOND: positiveNumber(1000),
    RATE_LIMIT_CLIENT_CAPACITY: positiveInt(5000),
    RATE_LIMIT_CLIENT_PER_SECOND: positiveNumber(20),
    RATE_LIMIT_INSTALL_CAPACITY: positiveInt(1000),
    RATE_LIMIT_INSTALL_PER_SECOND: positiveNumber(2),
    RATE_LIMIT_TENANT_CAPACITY: positiveInt(20_000),
    RATE_LIMIT_TENANT_PER_SECOND: positiveNumber(100),
    RATE_LIMIT_AUTH_FAILURES_CAPACITY: positiveInt(10),
    RATE_LIMIT_AUTH_FAILURES_PER_SECOND: positiveNumber(1 / 60),
    RATE_LIMIT_FORGET_CLIENT_CAPACITY: positiveInt(5),
    RATE_LIMIT_FORGET_CLIENT_PER_SECOND: positiveNumber(1 / 300),
    RATE_LIMIT_FORGET_APP_CAPACITY: positiveInt(100),
    RATE_LIMIT_FORGET_APP_PER_SECOND: positiveNumber(0.1),
  })
  .refine((v) => !v.RATE_LIMIT_ENABLED || (v.RATE_LIMIT_SALT_SECRET?.length ?? 0) >= MIN_SALT_SECRET_LENGTH, {
    message: `RATE_LIMIT_SALT_SECRET must be set (at least ${MIN_SALT_SECRET_LENGTH} characters) while RATE_LIMIT_ENABLED is true`,
    path: ["RATE_LIMIT_SALT_SECRET"],
  })
  .transform(
    (v): RateLimits => ({
      enabled: v.RATE_LIMIT_ENABLED,
      saltSecret: v.RATE_LIMIT_SALT_SECRET ?? "",
      shards: v.RATE_LIMIT_SHARDS,
      timeoutMs: v.RATE_LIMIT_TIMEOUT_MS,
      leaseMs: v.RATE_LIMIT_LEASE_MS,
      leaseMaxTokens: v.RATE_LIMIT_LEASE_MAX_TOKENS,
      buckets: {
        app: { capacity: v.RATE_LIMIT_APP_CAPACITY, perSecond: v.RATE_LIMIT_APP_PER_SECOND },
        client: { capacity: v.RATE_LIMIT_CLIENT_CAPACITY, perSecond: v.RATE_LIMIT_CLIENT_PER_SECOND },
        install: { capacity: v.RATE_LIMIT_INSTALL_CAPACITY, perSecond: v.RATE_LIMIT_INSTALL_PER_SECOND },
        tenant: { capacity: v.RATE_LIMIT_TENANT_CAPACITY, perSecond: v.RATE_LIMIT_TENANT_PER_SECOND },
        auth_failures: {
          capacity: v.RATE_LIMIT_AUTH_FAILURES_CAPACITY,
          perSecond: v.RATE_LIMIT_AUTH_FAILURES_PER_SECOND,
        },
        client_forgets: {
          capacity: v.RATE_LIMIT_FORGET_CLIENT_CAPACITY,
          perSecond: v.RATE_LIMIT_FORGET_CLIENT_PER_SECOND,
        },
        app_forgets: { capacity: v.RATE_LIMIT_FORGET_APP_CAPACITY, perSecond: v.RATE_LIMIT_FORGET_APP_PER_SECOND },
      },
    }),
  );

/** The rate limits of an env. */
export const rateLimitsOf = varsReader("rate limit", schema);
