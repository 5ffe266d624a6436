import { type BucketShape, msUntilAvailable } from "./token-bucket";

interface Lease {
  tokens: number;
  expiresMs: number;
  /** Tokens the last grant added: the size the next lease starts from. */
  granted: number;
}

/** The lease a key gets first, or again after its last one lapsed (before the caps). */
const FIRST_LEASE_TOKENS = 1000;

/** What an object said when it refused: enough to refuse locally until the bucket could pay. */
interface DenialSnapshot extends BucketShape {
  available: number;
  atMs: number;
  untilMs: number;
}

/**
 * Per-isolate memory that keeps most requests off the limiter objects:
 *
 * - leases: tokens already taken from an object's bucket on this isolate's behalf, spent
 *   locally until they run out or expire. They were charged when leased, so spending them
 *   never lets a key past its bucket; unspent ones simply lapse.
 * - denials: the state of a bucket that refused, so later requests for that key are refused
 *   here (with an exact Retry-After) until refill could have paid for them.
 *
 * Both maps are bounded: on overflow the oldest entries go, which only costs a round trip.
 *
 * A lease is sized by this isolate's demand for the key: a lease spent before it expired is
 * followed by one twice as large, and a key whose lease lapsed starts again from the first
 * size. A hot key (an app's, a busy client's) then costs its object a call or two per lease
 * period however fast it is spent, while what a lapse can strand stays about what this
 * isolate spent on the key in the period before.
 */
export class LocalAllowance {
  private readonly leases = new Map<string, Lease>();
  private readonly denials = new Map<string, DenialSnapshot>();

  /** Keys for which a lease request is on its way to an object, and when it settles. */
  private readonly leasing = new Map<string, { settled: Promise<void>; settle: () => void }>();

  constructor(private readonly maxEntries = 20_000) {}

  /**
   * Claims the right to ask for a lease for `id`. Only one request per key and isolate asks at
   * a time: a burst of concurrent first requests must not each take a lease.
   */
  claimLease(id: string): boolean {
    if (this.leasing.has(id)) return false;
    let settle = () => {};
    const settled = new Promise<void>((resolve) => {
      settle = resolve;
    });
    this.leasing.set(id, { settled, settle });
    return true;
  }

  releaseLease(id: string): void {
    this.leasing.get(id)?.settle();
    this.leasing.delete(id);
  }

  /** Settles when the lease request in flight for `id` (if any) has an answer. */
  leaseInFlight(id: string): Promise<void> | null {
    return this.leasing.get(id)?.settled ?? null;
  }

  /** Leased tokens this isolate may still spend for `id`. */
  leased(id: string, nowMs: number): number {
    const lease = this.leases.get(id);
    if (!lease) return 0;
    if (lease.expiresMs <= nowMs) {
      this.leases.delete(id);
      return 0;
    }
    return lease.tokens;
  }

  /** Spends leased tokens; the caller has checked `leased(id) >= tokens` in the same turn. */
  spend(id: string, tokens: number): void {
    const lease = this.leases.get(id);
    if (lease) lease.tokens -= tokens;
  }

  /** Returns tokens spent for a batch that was refused elsewhere. */
  giveBack(id: string, tokens: number, nowMs: number): void {
    const lease = this.leases.get(id);
    if (lease && lease.expiresMs > nowMs) lease.tokens += tokens;
  }

  /**
   * The tokens to ask for with a call about `id`, made because its lease cannot pay: twice the
   * last grant while that lease has not expired (it was spent in time), else the first size;
   * never more than `largest`.
   */
  nextLease(id: string, nowMs: number, largest: number): number {
    const lease = this.leases.get(id);
    const wanted =
      lease && lease.expiresMs > nowMs ? Math.max(FIRST_LEASE_TOKENS, 2 * lease.granted) : FIRST_LEASE_TOKENS;
    return Math.min(wanted, largest);
  }

  addLease(id: string, tokens: number, nowMs: number, leaseMs: number): void {
    if (tokens <= 0) return;
    this.denials.delete(id);
    const current = this.leased(id, nowMs);
    this.leases.delete(id);
    this.leases.set(id, { tokens: current + tokens, expiresMs: nowMs + leaseMs, granted: tokens });
    trim(this.leases, this.maxEntries);
  }

  /** Milliseconds `id` must still wait before `cost` could be paid, per the last denial (0: ask). */
  deniedFor(id: string, cost: number, nowMs: number): number {
    const denial = this.denials.get(id);
    if (!denial) return 0;
    if (denial.untilMs <= nowMs) {
      this.denials.delete(id);
      return 0;
    }
    const tokens = Math.min(denial.capacity, denial.available + ((nowMs - denial.atMs) * denial.perSecond) / 1000);
    return msUntilAvailable(tokens, cost, denial);
  }

  recordDenial(id: string, shape: BucketShape, available: number, nowMs: number, retryAfterMs: number): void {
    this.denials.delete(id);
    this.denials.set(id, { ...shape, available, atMs: nowMs, untilMs: nowMs + retryAfterMs });
    trim(this.denials, this.maxEntries);
  }
}

function trim<V>(map: Map<string, V>, max: number): void {
  // Maps iterate in insertion order, and entries are re-inserted on update: oldest first.
  for (const key of map.keys()) {
    if (map.size <= max) return;
    map.delete(key);
  }
}
