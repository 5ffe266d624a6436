import { z } from "zod";
import type { Env } from "./env";

const positiveInt = (fallback: number) => z.coerce.number().int().positive().default(fallback);

const limitsSchema = z.object({
  MAX_BODY_BYTES: positiveInt(1_048_576),
  MAX_DECOMPRESSED_BYTES: positiveInt(4_194_304),
  MAX_EVENTS_PER_BATCH: positiveInt(1000),
  MAX_EVENT_BYTES: positiveInt(8192),
  RAW_EVENT_RETENTION_DAYS: positiveInt(30),
});

export interface Limits {
  maxBodyBytes: number;
  maxDecompressedBytes: number;
  maxEventsPerBatch: number;
  maxEventBytes: number;
  rawEventRetentionDays: number;
}

// Vars are fixed for the life of an isolate, so parse them once per env object.
const cache = new WeakMap<object, Limits>();

/**
 * Reads the limits from wrangler.toml vars. A malformed var is a deployment error, so it
 * throws (and the request answers 500) rather than silently running without a limit.
 */
export function limitsOf(env: Env): Limits {
  const cached = cache.get(env);
  if (cached) return cached;
  const parsed = limitsSchema.safeParse(env);
  if (!parsed.success) {
    throw new Error(`invalid limit variable: ${z.prettifyError(parsed.error)}`);
  }
  const v = parsed.data;
  const limits: Limits = {
    maxBodyBytes: v.MAX_BODY_BYTES,
    maxDecompressedBytes: v.MAX_DECOMPRESSED_BYTES,
    maxEventsPerBatch: v.MAX_EVENTS_PER_BATCH,
    maxEventBytes: v.MAX_EVENT_BYTES,
    rawEventRetentionDays: v.RAW_EVENT_RETENTION_DAYS,
  };
  cache.set(env, limits);
  return limits;
}

const billingSchema = z.object({
  /** Days after a month ends before its billing figures become final. */
  BILLING_GRACE_DAYS: z.coerce.number().int().nonnegative().max(28).default(3),
});

/** The billing grace period in days; a malformed var throws, like the limits. */
export function billingGraceDaysOf(env: Env): number {
  const parsed = billingSchema.safeParse(env);
  if (!parsed.success) throw new Error(`invalid billing variable: ${z.prettifyError(parsed.error)}`);
  return parsed.data.BILLING_GRACE_DAYS;
}
