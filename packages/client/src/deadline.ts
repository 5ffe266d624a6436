/**
 * Time bounds for the SDK's public promises: `flush`, `shutdown` and `forget` settle by their
 * deadline whatever the network does. A caller awaiting one holds a timer that keeps Node's
 * event loop alive until then (an unref'd one would let the process end with the promise
 * unsettled: "unsettled top-level await", exit 13); the SDK's background timers never do.
 */

/** `flush()` settles within this long unless told otherwise. */
export const FLUSH_TIMEOUT_MS = 10_000;
/** `shutdown()` settles within this long unless told otherwise: an app that quits should not wait. */
export const SHUTDOWN_TIMEOUT_MS = 5_000;
/** `forget()` settles within this long unless told otherwise. */
export const FORGET_TIMEOUT_MS = 10_000;

/** The deadline `timeoutMs` from now; a missing, negative or non-finite value means `fallbackMs`. */
export function deadlineIn(timeoutMs: number | undefined, fallbackMs: number): number {
  const ms = typeof timeoutMs === "number" && timeoutMs >= 0 && Number.isFinite(timeoutMs) ? timeoutMs : fallbackMs;
  return Date.now() + ms;
}

/** Resolves after `ms` (or at once on `wake`); the timer keeps the process alive, for a waiting caller. */
export function sleep(ms: number, wake?: (resume: () => void) => void): Promise<void> {
  return new Promise((resolve) => {
    const timer = setTimeout(resolve, Math.max(0, ms));
    wake?.(() => {
      clearTimeout(timer);
      resolve();
    });
  });
}

/** Waits for `promise` until `deadline` at the latest; true when it settled in time. */
export async function settledBy(promise: Promise<unknown>, deadline: number): Promise<boolean> {
  let timer: ReturnType<typeof setTimeout> | undefined;
  const late = new Promise<false>((resolve) => {
    timer = setTimeout(() => resolve(false), Math.max(0, deadline - Date.now()));
  });
  try {
    return await Promise.race([
      promise.then(
        () => true,
        () => true,
      ),
      late,
    ]);
  } finally {
    clearTimeout(timer);
  }
}

/** Timers never keep a Node process alive on their own; a caller awaiting a bounded promise does. */
export function unref<T>(timer: T): T {
  (timer as { unref?: () => void }).unref?.();
  return timer;
}
