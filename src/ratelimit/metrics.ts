/**
 * Counters of this isolate's limiter, read by tests and written to logs. They are per isolate
 * (Workers have no shared memory); the log lines are what an operator aggregates.
 */
export const rateLimitMetrics = {
  /** Requests admitted because the limiter failed (error or timeout). */
  failOpen: 0,
  /** Requests refused because a limiter failed and the caller asked to fail closed. */
  failClosed: 0,
  /** Requests answered from leased allowance without calling an object. */
  localAdmits: 0,
  /** Requests refused from the cached denial without calling an object. */
  localDenials: 0,
  /** Calls made to limiter objects. */
  remoteCalls: 0,
};
