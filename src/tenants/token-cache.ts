/**
 * A small per-isolate cache of verification results, keyed by token hash, so a busy reporter
 * does not cost a D1 read per request. Entries are trusted for a bounded time only: that time
 * is how long a revocation or a tenant's disabling may take to reach an isolate that has the
 * token cached. Expiry is re-checked on every hit, so an expired token is never served.
 */
export class TokenCache<T> {
  private readonly entries = new Map<string, { value: T; until: number }>();

  constructor(private readonly maxEntries: number) {}

  get(key: string, now: number): T | undefined {
    const entry = this.entries.get(key);
    if (!entry) return undefined;
    if (entry.until <= now) {
      this.entries.delete(key);
      return undefined;
    }
    return entry.value;
  }

  set(key: string, value: T, now: number, ttlMs: number): void {
    // Oldest first: Map keeps insertion order, so re-inserting moves a key to the end.
    this.entries.delete(key);
    this.entries.set(key, { value, until: now + ttlMs });
    while (this.entries.size > this.maxEntries) {
      const oldest = this.entries.keys().next();
      if (oldest.done) break;
      this.entries.delete(oldest.value);
    }
  }

  clear(): void {
    this.entries.clear();
  }
}
