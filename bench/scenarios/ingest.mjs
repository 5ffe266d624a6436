// Ingest: POST /v1/events with the realistic 100-event batch, collector vs no-op baseline,
// alternating A/B so that drift (thermal, other load) hits both alike.
import { abRounds, combine } from "../lib/ab.mjs";
import { waitIdle } from "../lib/wrangler.mjs";

const ROUNDS = {
  full: { rounds: 4, seconds: 10, warmup: 2, idleTimeoutMs: 60_000 },
  quick: { rounds: 2, seconds: 3, warmup: 1, idleTimeoutMs: 6_000 },
  smoke: { rounds: 1, seconds: 1, warmup: 0, idleTimeoutMs: 3_000 },
};

export default {
  name: "ingest",
  order: 10,
  description: "POST /v1/events throughput: collector ÷ no-op Worker, same body, A/B/A/B",
  servers: ["collector", "noop"],
  async run(ctx) {
    const { mode, connections } = ctx.options;
    const plan = ROUNDS[mode];
    const body = ctx.template.body(); // fixed uuids: every request is still validated and enqueued
    // Before every round, wait for the collector's queue consumer to drain the previous
    // round's backlog: otherwise it steals CPU from whichever server is measured next.
    const { runs, idleWaits } = await abRounds({
      label: "ingest",
      targets: { collector: ctx.servers.collector, baseline: ctx.servers.noop },
      path: "/v1/events",
      body,
      plan,
      connections,
      quiesce: () => waitIdle(ctx.servers.collector, { timeoutMs: plan.idleTimeoutMs }),
      log: ctx.log,
    });
    // The collector's queue still holds the (duplicate) batches of these runs: the harness
    // stops it once no later scenario needs it (the ratelimit scenario reuses it as "on").

    const collector = combine(runs.collector, ctx.template.count);
    const baseline = combine(runs.baseline, ctx.template.count);
    // Any answer but 2xx (a 429 from the limiter, a 500, …) means the ratio measured
    // something else than ingest: the run fails.
    const clean = (r) => r.non_2xx === 0 && r.errors === 0;
    return {
      ratio: Math.round((collector.requests_per_s / baseline.requests_per_s) * 1000) / 1000,
      body_bytes: ctx.template.bytes,
      events_per_request: ctx.template.count,
      connections,
      rounds: plan.rounds,
      // Seconds waited before each round for the collector's consumer to go idle (capped).
      idle_waits_s: idleWaits,
      seconds_per_round: plan.seconds,
      collector,
      baseline,
      ok: clean(collector) && clean(baseline),
    };
  },
};
