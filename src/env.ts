import type { BatchMessage } from "./pipeline/message";

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
  RAW_EVENT_RETENTION_DAYS?: string;
  /** Days after a month ends before its billing figures are final (default 3). */
  BILLING_GRACE_DAYS?: string;
}

/** Hono's environment type for every route and middleware. */
export interface AppEnv {
  Bindings: Env;
}
