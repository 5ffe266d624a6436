import type { LimitKind } from "./config";

/**
 * What the limiter is asked and what it answers: a request's charges, the decision, and the
 * small helpers that build a denial and bound a wait on an object.
 */

/** Tokens one request needs from one key's bucket. */
export interface LimitCharge {
  kind: LimitKind;
  key: string;
  cost: number;
}

export type LimitDecision =
  | { ok: true }
  | {
      ok: false;
      /** The limit that refused (the one that needs the longest wait). */
      limit: LimitKind;
      retryAfterSeconds: number;
      /** The request costs more than the bucket can ever hold: it must be split. */
      exceedsCapacity: boolean;
    };

export interface CheckOptions {
  /** What to answer when the limiter itself fails: public traffic fails open. */
  onError: "open" | "closed";
}

export interface PreparedCharge extends LimitCharge {
  id: string;
  capacity: number;
  perSecond: number;
}

export function denial(charge: PreparedCharge, waitMs: number): LimitDecision {
  return {
    ok: false,
    limit: charge.kind,
    retryAfterSeconds: Math.max(1, Math.ceil(waitMs / 1000)),
    exceedsCapacity: charge.cost > charge.capacity,
  };
}

export function pickLongest(current: LimitDecision | null, next: LimitDecision): LimitDecision {
  if (!current || current.ok || next.ok) return next;
  return next.retryAfterSeconds > current.retryAfterSeconds ? next : current;
}

class LimiterTimeout extends Error {
  constructor(ms: number) {
    super(`no answer from the rate limiter within ${ms} ms`);
    this.name = "LimiterTimeout";
  }
}

export function withTimeout<T>(promise: Promise<T>, ms: number): Promise<T> {
  let timer: ReturnType<typeof setTimeout> | null = null;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new LimiterTimeout(ms)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => {
    if (timer !== null) clearTimeout(timer);
  });
}

export function errorText(err: unknown): string {
  return err instanceof Error ? `${err.name}: ${err.message}` : String(err);
}
