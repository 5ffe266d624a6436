import type { RateLimits } from "./config";
import {
  type CheckOptions,
  denial,
  errorText,
  type LimitCharge,
  type LimitDecision,
  type PreparedCharge,
  pickLongest,
  withTimeout,
} from "./decisions";
import type { RateLimiterShard } from "./durable-object";
import { LocalAllowance } from "./local-allowance";
import { rateLimitMetrics } from "./metrics";
import type { BucketCharge, TakeResult } from "./protocol";
import { shardOf } from "./shards";

export interface RateLimiterOptions {
  namespace: DurableObjectNamespace<RateLimiterShard>;
  limits: RateLimits;
  /** The isolate's leases and cached denials; shared by every request of the isolate by default. */
  allowance?: LocalAllowance;
  /** Injectable for tests; production uses the isolate clock. */
  now?: () => number;
}

const isolateAllowance = new LocalAllowance();

/**
 * Token-bucket limiting over several keys at once, all-or-nothing: a request is admitted only
 * if every bucket it touches can pay, and then every one of them is charged. Buckets live in
 * RateLimiterShard objects; leased allowance and cached denials keep most requests local.
 */
export class RateLimiter {
  private readonly allowance: LocalAllowance;
  private readonly now: () => number;

  constructor(private readonly options: RateLimiterOptions) {
    this.allowance = options.allowance ?? isolateAllowance;
    this.now = options.now ?? Date.now;
  }

  async check(charges: LimitCharge[], options: CheckOptions): Promise<LimitDecision> {
    const prepared = this.prepare(charges);
    if (prepared.length === 0) return { ok: true };
    await this.awaitLeasesInFlight(prepared);
    const nowMs = this.now();

    // 1. Decide locally, without changing anything yet.
    let localDenial: LimitDecision | null = null;
    const fromLease: PreparedCharge[] = [];
    const fromObjects: PreparedCharge[] = [];
    for (const charge of prepared) {
      if (this.allowance.leased(charge.id, nowMs) >= charge.cost) {
        fromLease.push(charge);
        continue;
      }
      const waitMs = this.allowance.deniedFor(charge.id, charge.cost, nowMs);
      if (waitMs > 0) {
        localDenial = pickLongest(localDenial, denial(charge, waitMs));
        continue;
      }
      fromObjects.push(charge);
    }
    if (localDenial) {
      rateLimitMetrics.localDenials++;
      return localDenial;
    }

    // 2. Spend leases in the same turn as the check above, so no other request interleaves.
    for (const charge of fromLease) this.allowance.spend(charge.id, charge.cost);
    if (fromObjects.length === 0) {
      rateLimitMetrics.localAdmits++;
      return { ok: true };
    }

    // 3. Ask the objects, one call per shard, all in parallel.
    const groups = this.groupByShard(fromObjects);
    const leasing = fromObjects.filter((charge) => this.allowance.claimLease(charge.id));
    let results: TakeResult[];
    try {
      results = await this.callShards(groups, nowMs, new Set(leasing));
    } catch (err) {
      return this.failed(err, fromLease, fromObjects, nowMs, options);
    } finally {
      for (const charge of leasing) this.allowance.releaseLease(charge.id);
    }

    let remoteDenial: LimitDecision | null = null;
    results.forEach((result, g) => {
      if (result.ok) return;
      const group = groups[g]?.charges ?? [];
      for (const refused of result.denials) {
        const charge = group[refused.index];
        if (!charge) continue;
        this.allowance.recordDenial(charge.id, charge, refused.available, nowMs, refused.retryAfterMs);
        remoteDenial = pickLongest(remoteDenial, denial(charge, refused.retryAfterMs));
      }
    });

    if (!remoteDenial) {
      results.forEach((result, g) => {
        if (!result.ok) return;
        (groups[g]?.charges ?? []).forEach((charge, i) => {
          const leased = (result.granted[i] ?? charge.cost) - charge.cost;
          this.allowance.addLease(charge.id, leased, nowMs, this.options.limits.leaseMs);
        });
      });
      return { ok: true };
    }

    // Refused somewhere: undo every charge that was taken, so the batch costs nothing.
    for (const charge of fromLease) this.allowance.giveBack(charge.id, charge.cost, nowMs);
    await this.refundGranted(groups, results, nowMs);
    return remoteDenial;
  }

  /**
   * What this isolate alone can say about a charge: a refusal from a cached denial, or null
   * when only an object can decide. Never calls an object.
   */
  cachedDecision(charge: LimitCharge): LimitDecision | null {
    const [prepared] = this.prepare([charge]);
    if (!prepared) return null;
    const nowMs = this.now();
    if (this.allowance.leased(prepared.id, nowMs) >= prepared.cost) return null;
    const waitMs = this.allowance.deniedFor(prepared.id, prepared.cost, nowMs);
    if (waitMs <= 0) return null;
    rateLimitMetrics.localDenials++;
    return denial(prepared, waitMs);
  }

  /**
   * A request that finds its key's lease being renewed waits for that answer instead of
   * calling the object too: under concurrency, one round trip then serves every waiting
   * request. The wait is bounded by the request's own timer, and that timer is not only a
   * bound: the renewal is another request's I/O, and a request whose only pending work
   * belongs to another request is judged hung by the runtime and cancelled (a 500). With a
   * timer of its own it is merely waiting; if the renewal is slow, it asks the object itself.
   */
  private async awaitLeasesInFlight(charges: PreparedCharge[]): Promise<void> {
    const pending = charges.flatMap((charge) => {
      const inFlight = this.allowance.leaseInFlight(charge.id);
      return inFlight ? [inFlight] : [];
    });
    if (pending.length === 0) return;
    await withTimeout(Promise.all(pending), this.options.limits.timeoutMs).catch(() => {});
  }

  private prepare(charges: LimitCharge[]): PreparedCharge[] {
    const merged = new Map<string, PreparedCharge>();
    for (const charge of charges) {
      if (charge.cost <= 0) continue;
      const id = `${charge.kind}:${charge.key}`;
      const existing = merged.get(id);
      if (existing) {
        existing.cost += charge.cost;
        continue;
      }
      merged.set(id, { ...charge, id, ...this.options.limits.buckets[charge.kind] });
    }
    return [...merged.values()];
  }

  private groupByShard(charges: PreparedCharge[]): Array<{ shard: string; charges: PreparedCharge[] }> {
    const byShard = new Map<string, PreparedCharge[]>();
    for (const charge of charges) {
      const shard = shardOf(charge.id, this.options.limits.shards);
      const list = byShard.get(shard) ?? [];
      list.push(charge);
      byShard.set(shard, list);
    }
    return [...byShard].map(([shard, list]) => ({ shard, charges: list }));
  }

  private leaseFor(charge: PreparedCharge, nowMs: number): number {
    // A lease is at most 1/20 of the bucket, so a handful of isolates cannot hold it all.
    const largest = Math.min(this.options.limits.leaseMaxTokens, Math.floor(charge.capacity / 20));
    return this.allowance.nextLease(charge.id, nowMs, largest);
  }

  private async callShards(
    groups: Array<{ shard: string; charges: PreparedCharge[] }>,
    nowMs: number,
    leasing: ReadonlySet<PreparedCharge>,
  ): Promise<TakeResult[]> {
    rateLimitMetrics.remoteCalls += groups.length;
    const calls = groups.map((group) => {
      const charges: BucketCharge[] = group.charges.map((charge) => ({
        key: charge.id,
        cost: charge.cost,
        lease: leasing.has(charge) ? this.leaseFor(charge, nowMs) : 0,
        capacity: charge.capacity,
        perSecond: charge.perSecond,
      }));
      return this.stub(group.shard).take({ nowMs, charges });
    });
    return withTimeout(Promise.all(calls), this.options.limits.timeoutMs);
  }

  private async refundGranted(
    groups: Array<{ shard: string; charges: PreparedCharge[] }>,
    results: TakeResult[],
    nowMs: number,
  ): Promise<void> {
    const refunds = results.flatMap((result, g) => {
      const group = groups[g];
      if (!result.ok || !group) return [];
      const tokens = group.charges.map((charge, i) => ({
        key: charge.id,
        tokens: result.granted[i] ?? 0,
        capacity: charge.capacity,
        perSecond: charge.perSecond,
      }));
      return [this.stub(group.shard).refund({ nowMs, refunds: tokens })];
    });
    try {
      await withTimeout(Promise.all(refunds), this.options.limits.timeoutMs);
    } catch (err) {
      // The request is refused either way; a lost refund only leaves a bucket a little emptier.
      console.warn("rate limiter refund failed", errorText(err));
    }
  }

  private failed(
    err: unknown,
    fromLease: PreparedCharge[],
    fromObjects: PreparedCharge[],
    nowMs: number,
    options: CheckOptions,
  ): LimitDecision {
    if (options.onError === "open") {
      rateLimitMetrics.failOpen++;
      console.warn(`rate limiter unavailable, failing open (count ${rateLimitMetrics.failOpen})`, errorText(err));
      return { ok: true };
    }
    for (const charge of fromLease) this.allowance.giveBack(charge.id, charge.cost, nowMs);
    rateLimitMetrics.failClosed++;
    console.warn(`rate limiter unavailable, failing closed (count ${rateLimitMetrics.failClosed})`, errorText(err));
    // Refused in the name of a limit that could not be consulted, with a short wait.
    const unanswered = fromObjects[0];
    return { ok: false, limit: unanswered?.kind ?? "client", retryAfterSeconds: 1, exceedsCapacity: false };
  }

  private stub(shard: string): DurableObjectStub<RateLimiterShard> {
    const { namespace } = this.options;
    return namespace.get(namespace.idFromName(shard));
  }
}
