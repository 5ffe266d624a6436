/**
 * One request to the collector and what its answer means for the items it carried: settled
 * (each accepted or rejected on its own), refused as a whole, too large (split it), or to be
 * retried later (network error, timeout, 408, 429, 5xx), with the server's `Retry-After`.
 */

/** The `fetch` the SDK calls: the platform's, or one you inject (a proxy agent, a test double). */
export type FetchLike = (input: string, init: RequestInit) => Promise<Response>;

/** Why the collector refused one item (or, with `index` absent, a whole request). */
export interface ItemRefusal {
  index?: number;
  error: string;
  message: string;
  field?: string;
}

export type Outcome =
  /** 202 (or a 400 listing every item): the items not in `rejected` were accepted. */
  | { kind: "settled"; rejected: ItemRefusal[]; answer: unknown }
  /** A 4xx about the request as a whole (unknown app, bad token…): resending cannot help. */
  | { kind: "refused"; refusal: ItemRefusal }
  /** 413: fewer items per request. */
  | { kind: "too_large" }
  | { kind: "retry"; refusal: ItemRefusal; retryAfterMs?: number }
  /** The request was cancelled on purpose (consent withdrawn, queue forgotten). */
  | { kind: "aborted" };

export interface PostOptions {
  fetch: FetchLike;
  headers: Record<string, string>;
  timeoutMs: number;
  keepalive?: boolean;
  signal?: AbortSignal;
}

export async function post(url: string, body: string, options: PostOptions): Promise<Outcome> {
  const controller = new AbortController();
  const cancel = () => controller.abort();
  options.signal?.addEventListener("abort", cancel);
  const timer = setTimeout(cancel, options.timeoutMs);
  let response: Response;
  let answer: unknown;
  try {
    response = await options.fetch(url, {
      method: "POST",
      headers: options.headers,
      body,
      signal: controller.signal,
      ...(options.keepalive ? { keepalive: true } : {}),
    });
    answer = await response.json().catch(() => undefined);
  } catch (err) {
    if (options.signal?.aborted) return { kind: "aborted" };
    const timedOut = controller.signal.aborted;
    return {
      kind: "retry",
      refusal: { error: timedOut ? "timeout" : "network_error", message: timedOut ? "no answer in time" : String(err) },
    };
  } finally {
    clearTimeout(timer);
    options.signal?.removeEventListener("abort", cancel);
  }
  const { status } = response;
  const rejected = (answer as { rejected?: unknown } | undefined)?.rejected;
  if (status < 300 || (status === 400 && Array.isArray(rejected))) {
    return { kind: "settled", rejected: Array.isArray(rejected) ? rejected : [], answer };
  }
  if (status === 413) return { kind: "too_large" };
  const refusal = errorOf(answer, status);
  if (status === 408 || status === 429 || status >= 500) {
    return { kind: "retry", refusal, retryAfterMs: retryAfterMs(response.headers.get("retry-after")) };
  }
  return { kind: "refused", refusal };
}

/** The collector's `{ error, message }` (and a 429's `limit`), or a stand-in naming the status. */
function errorOf(answer: unknown, status: number): ItemRefusal {
  const body = (answer ?? {}) as { error?: unknown; message?: unknown; limit?: unknown };
  const error = typeof body.error === "string" ? body.error : `http_${status}`;
  const message = typeof body.message === "string" ? body.message : `the collector answered ${status}`;
  return { error, message: typeof body.limit === "string" ? `${message} (limit: ${body.limit})` : message };
}

/** `Retry-After` in ms: delay-seconds or an HTTP date (RFC 9110 §10.2.3); absent or garbled: undefined. */
export function retryAfterMs(header: string | null): number | undefined {
  if (!header) return undefined;
  const seconds = Number(header);
  const ms = Number.isFinite(seconds) ? seconds * 1000 : Date.parse(header) - Date.now();
  return Number.isNaN(ms) ? undefined : Math.min(Math.max(0, ms), 86_400_000);
}

export interface RetryPolicy {
  /** The first delay after a failure; it doubles with each consecutive failure. */
  baseMs: number;
  /** The longest delay (before `Retry-After`, which is always honoured). */
  maxMs: number;
}

/**
 * How long to wait after the `failures`-th consecutive failure: exponential, with "equal
 * jitter" (half fixed, half random) so a crowd of clients does not come back in step; never
 * less than `Retry-After`, plus up to 20% of it for the same reason.
 */
export function backoffDelay(failures: number, policy: RetryPolicy, retryAfter?: number): number {
  const ceiling = Math.min(policy.maxMs, policy.baseMs * 2 ** Math.max(0, failures - 1));
  const delay = ceiling / 2 + (Math.random() * ceiling) / 2;
  return retryAfter === undefined ? delay : Math.max(delay, retryAfter * (1 + Math.random() * 0.2));
}
