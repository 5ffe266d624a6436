import type { BatchMessage } from "./pipeline/message";
import type { RateLimiterShard } from "./ratelimit/durable-object";

/** Bindings and variables the Worker runs with (see wrangler.toml and .dev.vars). */
export interface Env {
  DB: D1Database;
  EVENTS_QUEUE: Queue<BatchMessage>;
  /** Operator token for the read API (a secret: `wrangler secret put ADMIN_TOKEN`). */
  ADMIN_TOKEN?: string;
  MAX_BODY_BYTES?: string;
  MAX_DECOMPRESSED_BYTES?: string;
  MAX_EVENTS_PER_BATCH?: string;
  MAX_EVENT_BYTES?: string;
  MAX_STRING_LENGTH?: string;
  RAW_EVENT_RETENTION_DAYS?: string;
  /** Token buckets, spread over RATE_LIMIT_SHARDS objects (see docs/RATE_LIMITING.md). */
  RATE_LIMITER: DurableObjectNamespace<RateLimiterShard>;
  /** Secret from which the daily salt of the client-IP key is derived. */
  RATE_LIMIT_SALT_SECRET?: string;
  RATE_LIMIT_ENABLED?: string;
  RATE_LIMIT_SHARDS?: string;
  RATE_LIMIT_TIMEOUT_MS?: string;
  RATE_LIMIT_LEASE_MS?: string;
  RATE_LIMIT_LEASE_MAX_TOKENS?: string;
  RATE_LIMIT_APP_CAPACITY?: string;
  RATE_LIMIT_APP_PER_SECOND?: string;
  RATE_LIMIT_CLIENT_CAPACITY?: string;
  RATE_LIMIT_CLIENT_PER_SECOND?: string;
  RATE_LIMIT_INSTALL_CAPACITY?: string;
  RATE_LIMIT_INSTALL_PER_SECOND?: string;
  RATE_LIMIT_TENANT_CAPACITY?: string;
  RATE_LIMIT_TENANT_PER_SECOND?: string;
  RATE_LIMIT_AUTH_FAILURES_CAPACITY?: string;
  RATE_LIMIT_AUTH_FAILURES_PER_SECOND?: string;
  /** Days after a month ends before its billing figures are final (default 3). */
  BILLING_GRACE_DAYS?: string;
}

/** Hono's environment type for every route and middleware. */
export interface AppEnv {
  Bindings: Env;
}
