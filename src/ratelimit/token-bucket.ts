/** A bucket's state: `tokens` as of `updatedMs`. A missing bucket is a full one. */
export interface BucketState {
  tokens: number;
  updatedMs: number;
}

export interface BucketShape {
  capacity: number;
  perSecond: number;
}

/**
 * The tokens a bucket holds at `nowMs`. Time never runs backwards for a bucket: callers in
 * different isolates pass their own clocks, so a slightly older `nowMs` refills nothing
 * rather than removing tokens.
 */
export function tokensAt(state: BucketState | undefined, shape: BucketShape, nowMs: number): number {
  if (!state) return shape.capacity;
  const elapsedMs = Math.max(0, nowMs - state.updatedMs);
  return Math.min(shape.capacity, state.tokens + (elapsedMs * shape.perSecond) / 1000);
}

/** Milliseconds until a bucket holding `tokens` can pay `cost` (0 when it already can). */
export function msUntilAvailable(tokens: number, cost: number, shape: BucketShape): number {
  if (tokens >= cost) return 0;
  // A cost above the capacity can never be paid at once; report the time to a full bucket so
  // the client backs off, and let the message tell it to split the batch.
  const needed = Math.min(cost, shape.capacity) - tokens;
  return Math.max(1, Math.ceil((needed * 1000) / shape.perSecond));
}

/** Milliseconds until a bucket holding `tokens` is full again: after that it need not be stored. */
export function msUntilFull(tokens: number, shape: BucketShape): number {
  return Math.ceil(((shape.capacity - tokens) * 1000) / shape.perSecond);
}
