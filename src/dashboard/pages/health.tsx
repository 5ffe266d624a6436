import type { readHealth } from "../../stats/health";
import { formatNumber } from "../charts";
import { EmptyState } from "../layout";

/** The Health page: dead letters waiting for a re-drive, each cron job's last run, the rate limiter's counters. */

type Health = Awaited<ReturnType<typeof readHealth>>;

const LIMITER_COUNTERS: Record<keyof Health["rate_limiter_this_isolate"], string> = {
  failOpen: "admitted because the limiter failed (fail-open)",
  failClosed: "refused because the limiter failed (fail-closed)",
  localAdmits: "admitted from a leased allowance, without a round trip",
  localDenials: "refused from a cached denial, without a round trip",
  remoteCalls: "calls to the limiter's Durable Objects",
};

const shortTime = (iso: string) => iso.slice(0, 19).replace("T", " ");

export function HealthPage({ health, origin }: { health: Health; origin: string }) {
  const { dead_letters: deadLetters, cron, rate_limiter_this_isolate: limiter } = health;
  return (
    <>
      <dl class="totals">
        <div>
          <dt>Dead letters parked</dt>
          <dd id="parked" class={deadLetters.parked > 0 ? "bad" : "ok"}>
            {formatNumber(deadLetters.parked)}
          </dd>
        </div>
        <div>
          <dt>Rate-limiter fail-opens (this isolate)</dt>
          <dd id="fail-open" class={limiter.failOpen > 0 ? "bad" : "ok"}>
            {formatNumber(limiter.failOpen)}
          </dd>
        </div>
        <div>
          <dt>Cron jobs failing</dt>
          <dd id="cron-failing" class={cron.some((run) => !run.ok) ? "bad" : "ok"}>
            {formatNumber(cron.filter((run) => !run.ok).length)}
          </dd>
        </div>
      </dl>

      <h2>Dead letters</h2>
      {deadLetters.queues.length === 0 ? (
        <EmptyState>
          <p>Nothing is parked: every queue message was stored.</p>
        </EmptyState>
      ) : (
        <>
          <div class="scroll">
            <table id="dead-letters">
              <caption>Messages parked after their retries ran out, per queue</caption>
              <thead>
                <tr>
                  <th scope="col">Queue</th>
                  <th scope="col" class="n">
                    Messages
                  </th>
                  <th scope="col">Oldest parked (UTC)</th>
                </tr>
              </thead>
              <tbody>
                {deadLetters.queues.map((queue) => (
                  <tr>
                    <th scope="row">
                      <code>{queue.queue}</code>
                    </th>
                    <td class="n">{formatNumber(queue.messages)}</td>
                    <td>{shortTime(queue.oldest_parked_at)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <p>Once the cause is fixed, send them back to their queue (replaying never counts an event twice):</p>
          <pre>{`npm run redrive -- --list --url ${origin}\nnpm run redrive -- --url ${origin}`}</pre>
        </>
      )}

      <h2>Cron</h2>
      {cron.length === 0 ? (
        <EmptyState>
          <p>
            The cron has not run yet (it runs at minute 17 of every hour). Locally, run it now with{" "}
            <code>{`curl "${origin}/__scheduled?cron=17+*+*+*+*"`}</code>.
          </p>
        </EmptyState>
      ) : (
        <div class="scroll">
          <table id="cron-runs">
            <caption>Each job's last run</caption>
            <thead>
              <tr>
                <th scope="col">Job</th>
                <th scope="col">Started (UTC)</th>
                <th scope="col" class="n">
                  Took
                </th>
                <th scope="col">Result</th>
                <th scope="col">Summary</th>
              </tr>
            </thead>
            <tbody>
              {cron.map((run) => (
                <tr>
                  <th scope="row">{run.job}</th>
                  <td>{shortTime(run.started_at)}</td>
                  <td class="n">{`${formatNumber(Date.parse(run.finished_at) - Date.parse(run.started_at))} ms`}</td>
                  <td>{run.ok ? <span class="ok">succeeded</span> : <span class="bad">failed</span>}</td>
                  <td>{run.summary}</td>
                </tr>
              ))}
            </tbody>
          </table>
        </div>
      )}

      <h2>Rate limiter</h2>
      <p class="muted">
        Counted by the isolate that answered this page since it started: an indication, not a total (each isolate keeps
        its own; their log lines are what adds up).
      </p>
      <div class="scroll">
        <table id="rate-limiter">
          <caption>Rate-limiter counters of this isolate</caption>
          <thead>
            <tr>
              <th scope="col">Counter</th>
              <th scope="col" class="n">
                Count
              </th>
            </tr>
          </thead>
          <tbody>
            {Object.entries(LIMITER_COUNTERS).map(([key, meaning]) => (
              <tr>
                <th scope="row">{meaning}</th>
                <td class="n">{formatNumber(limiter[key as keyof typeof LIMITER_COUNTERS])}</td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    </>
  );
}
