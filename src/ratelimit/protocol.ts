import type { BucketShape } from "./token-bucket";

/** One bucket touched by a request to a limiter object. */
export interface BucketCharge extends BucketShape {
  key: string;
  /** Tokens the request needs now: all of them or nothing. */
  cost: number;
  /** Extra tokens the isolate would like to hold locally, granted only as far as they exist. */
  lease: number;
}

export interface TakeRequest {
  nowMs: number;
  charges: BucketCharge[];
}

/** A denied bucket: what it holds, so the isolate can refuse locally until it could pay. */
export interface BucketDenial {
  index: number;
  available: number;
  retryAfterMs: number;
}

/**
 * Either every charge was taken (`granted[i]` = cost + the lease actually given) or none was:
 * the object checks all its buckets before taking from any.
 */
export type TakeResult = { ok: true; granted: number[] } | { ok: false; denials: BucketDenial[] };

/** Tokens given back: an all-or-nothing batch that another object refused. */
export interface RefundRequest {
  nowMs: number;
  refunds: Array<BucketShape & { key: string; tokens: number }>;
}
