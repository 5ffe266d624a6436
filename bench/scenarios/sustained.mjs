// Sustained: 80% of the measured maximum ingest rate, unique uuids, for a fixed time; then
// wait for the queue to drain and check that every accepted event was aggregated.
import { collectorAggregated, waitUntil } from "../lib/drain.mjs";
import { sendAtRate } from "../lib/load.mjs";

const SECONDS = { full: 60, quick: 5, smoke: 2 };
const DRAIN_TIMEOUT_MS = { full: 180_000, quick: 30_000, smoke: 20_000 };
const FALLBACK_RATE = 50; // requests/s, when the ingest scenario did not run

export default {
  name: "sustained",
  order: 30,
  description: "80% of max ingest rate for 60 s (5 s quick) with unique uuids; lost must be 0",
  servers: ["collector-e2e"],
  async run(ctx) {
    const { mode } = ctx.options;
    const worker = ctx.servers["collector-e2e"];
    const maxRate = ctx.results.ingest?.collector?.requests_per_s;
    const rate = ctx.options.rate ?? (maxRate ? Math.max(1, Math.round(maxRate * 0.8)) : FALLBACK_RATE);
    const seconds = ctx.options.sustainedSeconds ?? SECONDS[mode];
    ctx.log(`sustained: ${rate} req/s (${rate * ctx.template.count} events/s) for ${seconds} s`);

    const before = await collectorAggregated(worker);
    const send = await sendAtRate({ baseUrl: worker.url, makeBody: () => ctx.template.body(), rate, seconds });
    const wait = await waitUntil(() => collectorAggregated(worker), before + send.accepted, {
      timeoutMs: DRAIN_TIMEOUT_MS[mode],
      pollMs: 200,
    });
    const stored = wait.value - before;
    const drainSeconds = ((wait.reachedAt ?? Date.now()) - send.ended_at) / 1000;
    ctx.log(
      `sustained: accepted ${send.accepted}, aggregated ${stored}, drained ${drainSeconds.toFixed(1)} s after the last answer` +
        (send.failures
          ? `, ${send.failures} FAILED requests ${JSON.stringify(send.statuses)}: ${JSON.stringify(send.refusals ?? send.lastError)}`
          : ""),
    );
    return {
      target_requests_per_s: rate,
      target_events_per_s: rate * ctx.template.count,
      based_on: ctx.options.rate
        ? "--rate"
        : maxRate
          ? "0.8 × ingest.collector.requests_per_s"
          : `fallback ${FALLBACK_RATE} req/s`,
      seconds,
      achieved_requests_per_s: Math.round((send.requests / send.sending_seconds) * 10) / 10,
      accepted: send.accepted,
      aggregated: stored,
      lost: send.accepted - stored,
      complete: wait.reachedAt !== null,
      drain_seconds_after_send: Math.round(drainSeconds * 10) / 10,
      failures: send.failures,
      missed_sends: send.missed,
      statuses: send.statuses,
      refusals: send.refusals,
      latency_ms: send.latency_ms,
      ok: wait.reachedAt !== null && send.accepted === stored && send.failures === 0,
    };
  },
};
