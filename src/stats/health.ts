import { parkedSummary } from "../deadletters/store";
import { forwardingState } from "../forward/config";
import { forwardingSummary } from "../forward/store";
import { DAY_MS, utcDay } from "../lib/time";
import { rateLimitMetrics } from "../ratelimit/metrics";
import { readRefusals } from "../ratelimit/refusals";

/**
 * What an operator checks first: dead letters waiting for a re-drive, the cron's last runs,
 * forwarding to PostHog (on or off, its counters of the last 7 days), requests refused with 429
 * per limit and day (every isolate's, src/ratelimit/refusals.ts), and this isolate's
 * rate-limiter counters. The cron records each job's run here; runs are
 * kept 30 days.
 */

const CRON_RUN_RETENTION_MS = 30 * DAY_MS;

export interface CronRun {
  job: string;
  startedAt: number;
  finishedAt: number;
  ok: boolean;
  summary: string;
}

export async function recordCronRun(db: D1Database, run: CronRun): Promise<void> {
  await db.batch([
    db
      .prepare(
        "INSERT OR REPLACE INTO cron_runs (job, started_at, finished_at, ok, summary) VALUES (?1, ?2, ?3, ?4, ?5)",
      )
      .bind(run.job, run.startedAt, run.finishedAt, run.ok ? 1 : 0, run.summary.slice(0, 500)),
    db.prepare("DELETE FROM cron_runs WHERE started_at < ?1").bind(run.startedAt - CRON_RUN_RETENTION_MS),
  ]);
}

/** The health document; with the Worker's env, it also says whether forwarding is on, and where to. */
export async function readHealth(db: D1Database, env?: Env) {
  const now = Date.now();
  const [parked, cron, forwarded, refused] = await Promise.all([
    parkedSummary(db),
    db
      .prepare(
        `SELECT job, started_at, finished_at, ok, summary FROM cron_runs AS r
         WHERE started_at = (SELECT MAX(started_at) FROM cron_runs WHERE job = r.job) ORDER BY job`,
      )
      .all<{ job: string; started_at: number; finished_at: number; ok: number; summary: string }>(),
    forwardingSummary(db, now),
    readRefusals(db, utcDay(now - 6 * DAY_MS), utcDay(now)),
  ]);
  const iso = (ms: number) => new Date(ms).toISOString();
  return {
    dead_letters: {
      parked: parked.reduce((n, queue) => n + queue.messages, 0),
      queues: parked.map((queue) => ({ ...queue, oldest_parked_at: iso(queue.oldest_parked_at) })),
    },
    cron: cron.results.map((run) => ({
      job: run.job,
      started_at: iso(run.started_at),
      finished_at: iso(run.finished_at),
      ok: run.ok === 1,
      summary: run.summary,
    })),
    forwarding: { ...(env ? forwardingState(env) : {}), apps: forwarded },
    /** Requests refused with 429 in the last 7 days, per day and limit, from every isolate (at least these). */
    refused_by_limit: refused,
    /** Counted per isolate since it started: an indication, not a total (see docs/RATE_LIMITING.md). */
    rate_limiter_this_isolate: { ...rateLimitMetrics },
  };
}
