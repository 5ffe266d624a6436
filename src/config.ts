import { z } from "zod";
import type { Env } from "./env";

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

/**
 * A reader of one group of wrangler.toml vars. Vars are fixed for the life of an isolate, so
 * each env object is parsed once. A malformed var is a deployment error: it throws (the
 * request answers 500) rather than silently running without a limit.
 */
function varsReader<T>(group: string, schema: z.ZodType<T>): (env: Env) => T {
  const cache = new WeakMap<object, T>();
  return (env) => {
    const cached = cache.get(env);
    if (cached !== undefined) return cached;
    const parsed = schema.safeParse(env);
    if (!parsed.success) throw new Error(`invalid ${group} variable: ${z.prettifyError(parsed.error)}`);
    cache.set(env, parsed.data);
    return parsed.data;
  };
}

const limitsSchema = z.object({
  MAX_BODY_BYTES: positiveInt(1_048_576),
  MAX_DECOMPRESSED_BYTES: positiveInt(4_194_304),
  MAX_EVENTS_PER_BATCH: positiveInt(1000),
  MAX_EVENT_BYTES: positiveInt(8192),
  MAX_STRING_LENGTH: positiveInt(256),
  RAW_EVENT_RETENTION_DAYS: positiveInt(30),
});

export interface Limits {
  maxBodyBytes: number;
  maxDecompressedBytes: number;
  maxEventsPerBatch: number;
  maxEventBytes: number;
  /** Ceiling on any string property, on top of the catalogue's own caps. */
  maxStringLength: number;
  rawEventRetentionDays: number;
}

/** Request limits (wrangler.toml vars). */
export const limitsOf = varsReader(
  "limit",
  limitsSchema.transform(
    (v): Limits => ({
      maxBodyBytes: v.MAX_BODY_BYTES,
      maxDecompressedBytes: v.MAX_DECOMPRESSED_BYTES,
      maxEventsPerBatch: v.MAX_EVENTS_PER_BATCH,
      maxEventBytes: v.MAX_EVENT_BYTES,
      maxStringLength: v.MAX_STRING_LENGTH,
      rawEventRetentionDays: v.RAW_EVENT_RETENTION_DAYS,
    }),
  ),
);

/** One token bucket: `capacity` is the burst, `perSecond` the sustained rate. */
export interface BucketLimit {
  capacity: number;
  perSecond: number;
}

/** What each limit counts; see docs/RATE_LIMITING.md for the reasoning behind each default. */
export type LimitKind = "app" | "client" | "install" | "tenant" | "auth_failures";

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

const positiveRate = (fallback: number) => z.coerce.number().positive().finite().default(fallback);
const flag = (fallback: boolean) =>
  z
    .enum(["true", "false", "1", "0"])
    .default(fallback ? "true" : "false")
    .transform((value) => value === "true" || value === "1");

const rateLimitSchema = z
  .object({
    RATE_LIMIT_ENABLED: flag(true),
    RATE_LIMIT_SALT_SECRET: z.string().optional(),
    RATE_LIMIT_SHARDS: positiveInt(16),
    RATE_LIMIT_TIMEOUT_MS: positiveInt(250),
    RATE_LIMIT_LEASE_MS: positiveInt(1000),
    RATE_LIMIT_LEASE_MAX_TOKENS: positiveInt(1000),
    RATE_LIMIT_APP_CAPACITY: positiveInt(60_000),
    RATE_LIMIT_APP_PER_SECOND: positiveRate(1000),
    RATE_LIMIT_CLIENT_CAPACITY: positiveInt(5000),
    RATE_LIMIT_CLIENT_PER_SECOND: positiveRate(20),
    RATE_LIMIT_INSTALL_CAPACITY: positiveInt(1000),
    RATE_LIMIT_INSTALL_PER_SECOND: positiveRate(2),
    RATE_LIMIT_TENANT_CAPACITY: positiveInt(20_000),
    RATE_LIMIT_TENANT_PER_SECOND: positiveRate(100),
    RATE_LIMIT_AUTH_FAILURES_CAPACITY: positiveInt(10),
    RATE_LIMIT_AUTH_FAILURES_PER_SECOND: positiveRate(1 / 60),
  })
  .refine((v) => !v.RATE_LIMIT_ENABLED || (v.RATE_LIMIT_SALT_SECRET?.length ?? 0) >= 16, {
    message: "RATE_LIMIT_SALT_SECRET must be set (at least 16 characters) while RATE_LIMIT_ENABLED is true",
    path: ["RATE_LIMIT_SALT_SECRET"],
  });

/** The rate limits (wrangler.toml vars, see docs/RATE_LIMITING.md). */
export const rateLimitsOf = varsReader(
  "rate limit",
  rateLimitSchema.transform(
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
      },
    }),
  ),
);

const billingSchema = z.object({
  /** Days after a month ends before its billing figures become final. */
  BILLING_GRACE_DAYS: z.coerce.number().int().nonnegative().max(28).default(3),
});

/** The billing grace period in days. */
export const billingGraceDaysOf = varsReader(
  "billing",
  billingSchema.transform((v) => v.BILLING_GRACE_DAYS),
);
