import type { readHealth } from "../../stats/health";
import { formatNumber } from "../charts";
import { EmptyState } from "../layout";
import { Table } from "../table";
import { Totals } from "../totals";

/** The Health page: dead letters waiting for a re-drive, each cron job's last run, the rate limiter's counters. */

type Health = Awaited<ReturnType<typeof readHealth>>;

const LIMITER_MEANINGS: Record<keyof Health["rate_limiter_this_isolate"], string> = {
  failOpen: "admitted because the limiter failed (fail-open)",
  failClosed: "refused because the limiter failed (fail-closed)",
  localAdmits: "admitted from a leased allowance, without a round trip",
  localDenials: "refused from a cached denial, without a round trip",
  remoteCalls: "calls to the limiter's Durable Objects",
};
const LIMITER_COUNTERS = Object.entries(LIMITER_MEANINGS) as [keyof typeof LIMITER_MEANINGS, string][];

const shortTime = (iso: string) => iso.slice(0, 19).replace("T", " ");

export function HealthPage({ health, origin }: { health: Health; origin: string }) {
  const { dead_letters: deadLetters, cron, rate_limiter_this_isolate: limiter } = health;
  const failing = cron.filter((run) => !run.ok).length;
  return (
    <>
      <Totals
        figures={[
          {
            label: "Dead letters parked",
            value: deadLetters.parked,
            id: "parked",
            tone: deadLetters.parked > 0 ? "bad" : "ok",
          },
          {
            label: "Rate-limiter fail-opens (this isolate)",
            value: limiter.failOpen,
            id: "fail-open",
            tone: limiter.failOpen > 0 ? "bad" : "ok",
          },
          { label: "Cron jobs failing", value: failing, id: "cron-failing", tone: failing > 0 ? "bad" : "ok" },
        ]}
      />

      <h2>Dead letters</h2>
      {deadLetters.queues.length === 0 ? (
        <EmptyState>
          <p>Nothing is parked: every queue message was stored.</p>
        </EmptyState>
      ) : (
        <>
          <Table
            id="dead-letters"
            caption="Messages parked after their retries ran out, per queue"
            rows={deadLetters.queues}
            columns={[
              { header: "Queue", rowHeader: true, cell: (queue) => <code>{queue.queue}</code> },
              { header: "Messages", numeric: true, cell: (queue) => queue.messages },
              { header: "Oldest parked (UTC)", cell: (queue) => shortTime(queue.oldest_parked_at) },
            ]}
          />
          <p>Once the cause is fixed, send them back to their queue (replaying never counts an event twice):</p>
          <pre>{`npm run redrive -- --list --url ${origin}\nnpm run redrive -- --url ${origin}`}</pre>
        </>
      )}

      <h2>Cron</h2>
      <Table
        id="cron-runs"
        caption="Each job's last run"
        rows={cron}
        columns={[
          { header: "Job", rowHeader: true, cell: (run) => run.job },
          { header: "Started (UTC)", cell: (run) => shortTime(run.started_at) },
          {
            header: "Took",
            numeric: true,
            cell: (run) => `${formatNumber(Date.parse(run.finished_at) - Date.parse(run.started_at))} ms`,
          },
          {
            header: "Result",
            cell: (run) => (run.ok ? <span class="ok">succeeded</span> : <span class="bad">failed</span>),
          },
          { header: "Summary", cell: (run) => run.summary },
        ]}
        empty={
          <p>
            The cron has not run yet (it runs at minute 17 of every hour). Locally, run it now with{" "}
            <code>{`curl "${origin}/cdn-cgi/handler/scheduled?cron=17+*+*+*+*"`}</code>.
          </p>
        }
      />

      <h2>Rate limiter</h2>
      <Table
        id="refused-by-limit"
        caption="Requests refused with 429 in the last 7 days, per day and limit (every isolate's, added each minute)"
        rows={health.refused_by_limit.flatMap((day) =>
          Object.entries(day.limits).map(([limit, count]) => ({ day: day.day, limit, count: count ?? 0 })),
        )}
        empty={<p>No request was refused with 429 in the last 7 days.</p>}
        columns={[
          { header: "Day", rowHeader: true, cell: (row) => row.day },
          { header: "Limit", cell: (row) => row.limit },
          { header: "Refused", numeric: true, cell: (row) => row.count },
        ]}
      />
      <p class="muted">
        Counted by the isolate that answered this page since it started: an indication, not a total (each isolate keeps
        its own; their log lines are what adds up).
      </p>
      <Table
        id="rate-limiter"
        caption="Rate-limiter counters of this isolate"
        rows={LIMITER_COUNTERS}
        columns={[
          { header: "Counter", rowHeader: true, cell: ([, meaning]) => meaning },
          { header: "Count", numeric: true, cell: ([key]) => limiter[key] },
        ]}
      />
    </>
  );
}
