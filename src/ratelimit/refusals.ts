import { MINUTE_MS, utcDay } from "../lib/time";
import type { LimitKind } from "./config";

/**
 * Requests refused with 429, per UTC day and limit, kept durably so the operator sees every
 * isolate's refusals (`rateLimitMetrics` only holds the answering isolate's). Each refusal is
 * counted in memory (`countRefusal`, where every 429 is made: middleware.ts's `refuse`), and an
 * isolate adds what it counted to `daily_refusals` at most once a minute, after a request, one
 * upsert per limit and day (`flushRefusals`): a flood of 429s costs D1 a few rows a minute, not
 * a row per refusal. What an isolate counted in its last minute is lost if it is evicted first,
 * so the figures are a floor. The table is bounded (days × the closed set of limits) and purged
 * after AGGREGATE_RETENTION_DAYS (src/aggregate/retention.ts).
 */

const FLUSH_EVERY_MS = MINUTE_MS;
let pending = new Map<string, number>();
let lastFlush = 0;

export function countRefusal(limit: LimitKind, now = Date.now()): void {
  const key = `${utcDay(now)}\u0000${limit}`;
  pending.set(key, (pending.get(key) ?? 0) + 1);
}

const ADD = `INSERT INTO daily_refusals (day, limit_kind, count)
SELECT r.value->>0, r.value->>1, r.value->>2 FROM json_each(?1) AS r WHERE true
ON CONFLICT (day, limit_kind) DO UPDATE SET count = count + excluded.count`;

/**
 * Adds the refusals counted since the last flush, if a minute has passed (or `force`). On a
 * failure the counts are kept for the next one. Returns the promise to wait on, or null.
 */
export function flushRefusals(db: D1Database, now = Date.now(), force = false): Promise<void> | null {
  if (pending.size === 0 || (!force && now - lastFlush < FLUSH_EVERY_MS)) return null;
  const taken = pending;
  pending = new Map();
  lastFlush = now;
  const rows = [...taken].map(([key, n]) => [...key.split("\u0000"), n]);
  return db
    .prepare(ADD)
    .bind(JSON.stringify(rows))
    .run()
    .then(
      () => undefined,
      (err) => {
        for (const [key, n] of taken) pending.set(key, (pending.get(key) ?? 0) + n);
        console.error("counting refused requests failed; kept for the next flush", err);
      },
    );
}

export interface RefusalDay {
  day: string;
  /** Refusals per limit that refused any that day. */
  limits: Partial<Record<LimitKind, number>>;
}

/** Refusals per day and limit from `from` to `to`, oldest first. */
export async function readRefusals(db: D1Database, from: string, to: string): Promise<RefusalDay[]> {
  const { results } = await db
    .prepare("SELECT day, limit_kind, count FROM daily_refusals WHERE day BETWEEN ?1 AND ?2 ORDER BY day, limit_kind")
    .bind(from, to)
    .all<{ day: string; limit_kind: LimitKind; count: number }>();
  const days = new Map<string, RefusalDay>();
  for (const row of results) {
    let day = days.get(row.day);
    if (!day) {
      day = { day: row.day, limits: {} };
      days.set(row.day, day);
    }
    day.limits[row.limit_kind] = row.count;
  }
  return [...days.values()];
}
