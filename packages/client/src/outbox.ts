import { settledBy, sleep, unref } from "./deadline.js";
import { backoffDelay, type ItemRefusal, type Outcome, type PostOptions, post, type RetryPolicy } from "./http.js";

/**
 * The items waiting for the collector (events, or usage reports), sent in batches, one request
 * at a time. A failure backs off (exponentially, with jitter, never sooner than `Retry-After`)
 * and nothing is sent before the delay is over, however many items arrive meanwhile. A 413
 * halves the batch; items the collector rejects are reported, not retried; the rest keep their
 * ids, so a resend is recognised as one. `drain` (what `flush` waits on) ends by its deadline:
 * a backoff that runs past it is not waited for, and a request unanswered by then is cancelled,
 * its items kept.
 */

export interface OutboxOptions<T> {
  url: string;
  request: Omit<PostOptions, "signal" | "keepalive">;
  /** The body for these items, built at each attempt (`sent_at` is per attempt). */
  body(items: readonly T[]): string;
  idOf(item: T): string;
  maxItems: number;
  maxBytes: number;
  /** Items waiting besides the batch in flight; the oldest are dropped beyond it. */
  maxQueue: number;
  retry: RetryPolicy;
  /** Persists the unsettled items (called at most once per tick, or at once by `saveNow`). */
  save(items: readonly T[]): void;
  onError(refusal: ItemRefusal): void;
}

/** What happened to items since the tally was last taken. */
export interface Tally {
  sent: number;
  rejected: number;
  dropped: number;
  /** Why each rejected item was refused, with its id. */
  rejections: (ItemRefusal & { id: string })[];
}

const emptyTally = (): Tally => ({ sent: 0, rejected: 0, dropped: 0, rejections: [] });
/** A keepalive request's body is capped at 64 KiB by browsers. */
const KEEPALIVE_BYTES = 60_000;

export class Outbox<T> {
  private items: T[] = [];
  private readonly inFlight = new Set<string>();
  private sending: Promise<Outcome> | undefined;
  private controller = new AbortController();
  /** Consecutive failures, for the backoff. */
  private failures = 0;
  /** Every failed request, for `drain`'s count of attempts. */
  private failedRequests = 0;
  private notBefore = 0;
  private batchLimit: number;
  private tally = emptyTally();
  private saveQueued = false;
  private retryTimer: ReturnType<typeof setTimeout> | undefined;
  private readonly sleepers = new Set<() => void>();

  constructor(private readonly options: OutboxOptions<T>) {
    this.batchLimit = options.maxItems;
  }

  get size(): number {
    return this.items.length;
  }

  /** Takes the items persisted by an earlier run, ahead of anything new. */
  restore(items: readonly T[]): void {
    this.items = [...items, ...this.items];
    this.trim();
  }

  add(item: T): void {
    this.items.push(item);
    this.trim();
    this.queueSave();
  }

  /** Cancels the requests in flight (their answers are ignored); their items stay queued. */
  cancelInFlight(): void {
    this.controller.abort();
    this.controller = new AbortController();
  }

  /** No more background retries, and nothing in flight: for a client that shuts down. */
  stop(): void {
    this.cancelInFlight();
    clearTimeout(this.retryTimer);
  }

  /** Drops every item and cancels the request in flight (its answer is ignored). */
  clear(): void {
    this.cancelInFlight();
    this.items = [];
    this.inFlight.clear();
    this.failures = 0;
    this.notBefore = 0;
    clearTimeout(this.retryTimer);
    for (const wake of this.sleepers) wake();
    this.saveNow();
  }

  takeTally(): Tally {
    const tally = this.tally;
    this.tally = emptyTally();
    return tally;
  }

  /**
   * Sends one batch unless a backoff is running, or waits for the batch in flight. True when
   * a request was answered without a retry being needed (so another may follow at once).
   */
  async pump(): Promise<boolean> {
    if (this.sending) return (await this.sending).kind !== "retry";
    if (Date.now() < this.notBefore || this.items.length <= this.inFlight.size) return false;
    return (await this.send(false)).kind !== "retry";
  }

  /**
   * Sends until every item present now is settled or dropped, waiting out backoffs; gives up
   * (the items stay queued and persisted) after `attempts` failed requests, at a backoff that
   * would run past `deadline`, or at `deadline`, when the request in flight is cancelled.
   */
  async drain(attempts: number, deadline: number): Promise<void> {
    const target = new Set(this.items.map(this.options.idOf));
    const failedBefore = this.failedRequests; // background retries count too
    while (this.items.some((item) => target.has(this.options.idOf(item)))) {
      if (this.failedRequests - failedBefore >= attempts || this.notBefore >= deadline) return;
      const inTime = this.sending
        ? await settledBy(this.sending, deadline)
        : Date.now() < this.notBefore
          ? await this.sleepUntil(this.notBefore)
          : await settledBy(this.send(false), deadline);
      if (!inTime || Date.now() >= deadline) {
        this.cancelInFlight();
        return;
      }
    }
  }

  /** Page hide: whatever fits in one keepalive request goes now; all of it stays saved until answered. */
  sendOnHide(): void {
    this.saveNow();
    if (this.items.length > 0) void this.send(true);
  }

  saveNow(): void {
    this.saveQueued = false;
    this.options.save(this.items);
  }

  private queueSave(): void {
    if (this.saveQueued) return;
    this.saveQueued = true;
    queueMicrotask(() => {
      if (this.saveQueued) this.saveNow();
    });
  }

  private trim(): void {
    let excess = this.items.length - this.inFlight.size - this.options.maxQueue;
    if (excess <= 0) return;
    this.tally.dropped += excess;
    this.options.onError({ error: "queue_full", message: `${excess} oldest item(s) dropped (maxQueue)` });
    this.items = this.items.filter((item) => {
      if (excess <= 0 || this.inFlight.has(this.options.idOf(item))) return true;
      excess--;
      return false;
    });
  }

  private send(keepalive: boolean): Promise<Outcome> {
    const batch = this.nextBatch(keepalive);
    const { idOf } = this.options;
    const { request } = this.options;
    const promise = post(this.options.url, this.options.body(batch), {
      ...request,
      // As text/plain, a page's last request needs no CORS preflight (which may not outlive the page).
      headers: keepalive ? { ...request.headers, "content-type": "text/plain" } : request.headers,
      keepalive,
      signal: this.controller.signal,
    }).then((outcome) => {
      this.settle(batch, outcome);
      return outcome;
    });
    if (keepalive) return promise;
    for (const item of batch) this.inFlight.add(idOf(item));
    this.sending = promise.finally(() => {
      this.sending = undefined;
      for (const item of batch) this.inFlight.delete(idOf(item));
    });
    return this.sending;
  }

  private nextBatch(keepalive: boolean): T[] {
    const maxBytes = keepalive ? KEEPALIVE_BYTES : this.options.maxBytes;
    const batch: T[] = [];
    let bytes = 200; // the envelope
    for (const item of this.items) {
      if (!keepalive && this.inFlight.has(this.options.idOf(item))) continue;
      const size = JSON.stringify(item).length + 1;
      if (batch.length > 0 && (batch.length >= this.batchLimit || bytes + size > maxBytes)) break;
      batch.push(item);
      bytes += size;
    }
    return batch;
  }

  private settle(batch: readonly T[], outcome: Outcome): void {
    if (outcome.kind === "aborted") return;
    if (outcome.kind === "retry") {
      this.failures++;
      this.failedRequests++;
      const delay = Math.ceil(backoffDelay(this.failures, this.options.retry, outcome.retryAfterMs));
      this.notBefore = Date.now() + delay;
      clearTimeout(this.retryTimer);
      this.retryTimer = unref(setTimeout(() => void this.pump(), delay));
      this.options.onError(outcome.refusal);
      return;
    }
    if (outcome.kind === "too_large" && batch.length > 1) {
      this.batchLimit = Math.ceil(batch.length / 2);
      return; // the next request carries half as many
    }
    this.failures = 0;
    this.notBefore = 0;
    const refusals = new Map<number, ItemRefusal>();
    if (outcome.kind === "settled") for (const r of outcome.rejected) refusals.set(Number(r.index), r);
    const whole =
      outcome.kind === "refused"
        ? outcome.refusal
        : { error: "too_large", message: "this item alone is larger than the collector accepts" };
    const settled = new Set<string>();
    batch.forEach((item, index) => {
      const id = this.options.idOf(item);
      if (!this.items.some((kept) => this.options.idOf(kept) === id)) return; // already settled
      settled.add(id);
      const refusal = outcome.kind === "settled" ? refusals.get(index) : whole;
      if (refusal) {
        this.tally.rejected++;
        this.tally.rejections.push({ ...refusal, index, id });
      } else {
        this.tally.sent++;
      }
    });
    if (outcome.kind !== "settled") this.options.onError(whole);
    this.items = this.items.filter((item) => !settled.has(this.options.idOf(item)));
    this.queueSave();
  }

  /** Waits for the backoff to end (or for `clear`); true, as the wait is bounded by `drain`. */
  private async sleepUntil(at: number): Promise<boolean> {
    let resume: (() => void) | undefined;
    await sleep(at - Date.now(), (wake) => {
      resume = wake;
      this.sleepers.add(wake);
    });
    if (resume) this.sleepers.delete(resume);
    return true;
  }
}
