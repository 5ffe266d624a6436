import { DurableObject } from "cloudflare:workers";
import { HOUR_MS, SECOND_MS } from "../lib/time";
import type { BucketDenial, RefundRequest, TakeRequest, TakeResult } from "./protocol";
import { type BucketState, msUntilAvailable, msUntilFull, tokensAt } from "./token-bucket";

/** How often an object looks for buckets that have refilled and need not be kept. */
const PURGE_INTERVAL_MS = HOUR_MS;

/** How long a changed bucket may wait in memory before it is written to SQLite. */
export const SAVE_DELAY_MS = SECOND_MS;

/** A bucket as its row holds it. */
interface BucketRow {
  tokens: number;
  updatedMs: number;
  fullAtMs: number;
}

/**
 * One shard of the token buckets. Every key hashes to one shard, so one hot key never
 * serialises the others. Each call runs without awaiting, which makes a multi-bucket take
 * atomic: all buckets are checked, then all are charged.
 *
 * State lives in memory (so a call reads no rows) and in SQLite (so a restart does not hand
 * every client a fresh burst). A call answers from memory; the buckets it changed are written
 * together within SAVE_DELAY_MS, one row per bucket however often it was charged meanwhile. A
 * write per call made every call a SQLite transaction (and, deployed, held its answer until
 * the write was durable); the price is that a restart forgets at most the last second of
 * charges. A full bucket is the same as a missing one, so rows are deleted once their bucket
 * would be full again; daily-rotated client keys would otherwise pile up for ever.
 */
export class RateLimiterShard extends DurableObject {
  private readonly buckets = new Map<string, BucketState>();
  /** Buckets changed since they were last written, and whether a write is scheduled. */
  private readonly unsaved = new Map<string, BucketRow>();
  private saveScheduled = false;
  private purgeScheduled = false;

  constructor(ctx: DurableObjectState, env: unknown) {
    super(ctx, env as never);
    ctx.storage.sql.exec(
      `CREATE TABLE IF NOT EXISTS buckets (
         key TEXT PRIMARY KEY,
         tokens REAL NOT NULL,
         updated_ms INTEGER NOT NULL,
         full_at_ms INTEGER NOT NULL
       )`,
    );
    ctx.storage.sql.exec("CREATE INDEX IF NOT EXISTS buckets_full_at ON buckets (full_at_ms)");
    for (const row of ctx.storage.sql.exec<{ key: string; tokens: number; updated_ms: number }>(
      "SELECT key, tokens, updated_ms FROM buckets",
    )) {
      this.buckets.set(row.key, { tokens: row.tokens, updatedMs: row.updated_ms });
    }
  }

  take(request: TakeRequest): TakeResult {
    const available = request.charges.map((charge) => tokensAt(this.buckets.get(charge.key), charge, request.nowMs));
    // Several charges may name the same key (never from our callers, but cheap to honour).
    const denials: BucketDenial[] = [];
    const demand = new Map<string, number>();
    request.charges.forEach((charge, index) => {
      const needed = (demand.get(charge.key) ?? 0) + charge.cost;
      demand.set(charge.key, needed);
      const tokens = available[index] ?? 0;
      if (tokens < needed) {
        denials.push({ index, available: tokens, retryAfterMs: msUntilAvailable(tokens, needed, charge) });
      }
    });
    if (denials.length > 0) return { ok: false, denials };

    const granted = request.charges.map((charge) => {
      const tokens = tokensAt(this.buckets.get(charge.key), charge, request.nowMs);
      // A lease takes at most a tenth of what is left, so isolates leasing at once cannot empty
      // the bucket into allowances they may never spend; near the limit, leases shrink to 0.
      const lease = Math.max(0, Math.min(charge.lease, Math.floor((tokens - charge.cost) / 10)));
      this.store(charge.key, tokens - charge.cost - lease, request.nowMs, charge);
      return charge.cost + lease;
    });
    return { ok: true, granted };
  }

  refund(request: RefundRequest): void {
    for (const refund of request.refunds) {
      const tokens = tokensAt(this.buckets.get(refund.key), refund, request.nowMs);
      this.store(refund.key, Math.min(refund.capacity, tokens + refund.tokens), request.nowMs, refund);
    }
  }

  override async alarm(): Promise<void> {
    this.purgeScheduled = false;
    // A bucket changed since its row was written may no longer be full: its row first.
    this.save();
    const now = Date.now();
    for (const row of this.ctx.storage.sql.exec<{ key: string }>(
      "DELETE FROM buckets WHERE full_at_ms <= ? RETURNING key",
      now,
    )) {
      // A bucket whose newer state is still unsaved (a failed save) keeps it.
      if (!this.unsaved.has(row.key)) this.buckets.delete(row.key);
    }
    if (this.buckets.size > 0) await this.schedulePurge();
  }

  private store(key: string, tokens: number, nowMs: number, shape: { capacity: number; perSecond: number }): void {
    const previous = this.buckets.get(key);
    const updatedMs = Math.max(nowMs, previous?.updatedMs ?? nowMs);
    this.buckets.set(key, { tokens, updatedMs });
    this.unsaved.set(key, { tokens, updatedMs, fullAtMs: updatedMs + msUntilFull(tokens, shape) });
    if (!this.saveScheduled) this.scheduleSave();
  }

  private scheduleSave(): void {
    this.saveScheduled = true;
    setTimeout(() => this.save(), SAVE_DELAY_MS);
  }

  /**
   * Writes every changed bucket, in one turn (nothing is awaited in between, so the runtime
   * commits the rows together). If a write fails, the buckets stay in memory and are tried
   * again later; the calls are answered from memory meanwhile.
   */
  save(): void {
    this.saveScheduled = false;
    if (this.unsaved.size === 0) return;
    try {
      for (const [key, row] of this.unsaved) {
        this.ctx.storage.sql.exec(
          `INSERT INTO buckets (key, tokens, updated_ms, full_at_ms) VALUES (?, ?, ?, ?)
           ON CONFLICT (key) DO UPDATE SET tokens = excluded.tokens, updated_ms = excluded.updated_ms,
             full_at_ms = excluded.full_at_ms`,
          key,
          row.tokens,
          row.updatedMs,
          row.fullAtMs,
        );
      }
    } catch (err) {
      console.error(`rate limiter: ${this.unsaved.size} buckets could not be saved; trying again`, err);
      this.scheduleSave();
      return;
    }
    this.unsaved.clear();
    if (!this.purgeScheduled) {
      this.purgeScheduled = true;
      // Not awaited: the alarm is housekeeping.
      void this.schedulePurge();
    }
  }

  private async schedulePurge(): Promise<void> {
    this.purgeScheduled = true;
    if ((await this.ctx.storage.getAlarm()) === null) {
      await this.ctx.storage.setAlarm(Date.now() + PURGE_INTERVAL_MS);
    }
  }
}
