// Ingest: POST /v1/events with the realistic 100-event batch against the collector, the
// enqueue-only baseline (parse, pack, sendBatch: the floor of any collector that answers once
// the batch is durable) and the no-op Worker, in turn (A/B/C/D), so that drift (thermal, other
// load) hits all of them alike. Judged: collector ÷ enqueue-only, the collector's consumer
// storing every event on the same cores (the baseline's only acknowledges); reported: the
// same collector without its consumer (no queue deliveries either, which the baseline pays) ÷
// enqueue-only, and ÷ no-op.
import { abRounds, combine } from "../lib/ab.mjs";
import { waitIdle } from "../lib/wrangler.mjs";

const ROUNDS = {
  full: { rounds: 4, seconds: 10, warmup: 2, idleTimeoutMs: 60_000 },
  quick: { rounds: 2, seconds: 3, warmup: 1, idleTimeoutMs: 6_000 },
  smoke: { rounds: 1, seconds: 1, warmup: 0, idleTimeoutMs: 3_000 },
};

const ratio = (a, b) => Math.round((a.requests_per_s / b.requests_per_s) * 1000) / 1000;

export default {
  name: "ingest",
  order: 10,
  description: "POST /v1/events throughput: collector ÷ enqueue-only (and ÷ no-op), same body, A/B/C",
  servers: ["collector", "collector-ingest-only", "enqueue-only", "noop"],
  async run(ctx) {
    const { mode, connections } = ctx.options;
    const plan = ROUNDS[mode];
    const body = ctx.template.body(); // fixed uuids: every request is still validated and enqueued
    // Before every round, wait for the collector's and the enqueue-only Worker's queue
    // consumers to drain the previous rounds' backlog: otherwise they steal CPU from whichever
    // server is measured next.
    const { runs, idleWaits } = await abRounds({
      label: "ingest",
      targets: {
        collector: ctx.servers.collector,
        alone: ctx.servers["collector-ingest-only"],
        enqueue: ctx.servers["enqueue-only"],
        baseline: ctx.servers.noop,
      },
      path: "/v1/events",
      body,
      plan,
      connections,
      quiesce: async () =>
        (await waitIdle(ctx.servers.collector, { timeoutMs: plan.idleTimeoutMs })) +
        (await waitIdle(ctx.servers["enqueue-only"], { timeoutMs: plan.idleTimeoutMs })),
      log: ctx.log,
    });
    // The collector's queue still holds the (duplicate) batches of these runs: the harness
    // stops it once no later scenario needs it (the ratelimit scenario reuses it as "on").

    const collector = combine(runs.collector, ctx.template.count);
    const alone = combine(runs.alone, ctx.template.count);
    const enqueueOnly = combine(runs.enqueue, ctx.template.count);
    const baseline = combine(runs.baseline, ctx.template.count);
    // Any answer but 2xx (a 429 from the limiter, a 500, …) means the ratio measured
    // something else than ingest: the run fails.
    const clean = (r) => r.non_2xx === 0 && r.errors === 0;
    return {
      ratio_vs_enqueue: ratio(collector, enqueueOnly),
      // The ingest path alone: the consumer's share of the machine is the difference.
      ingest_alone_ratio_vs_enqueue: ratio(alone, enqueueOnly),
      ratio: ratio(collector, baseline),
      body_bytes: ctx.template.bytes,
      events_per_request: ctx.template.count,
      connections,
      rounds: plan.rounds,
      // Seconds waited before each round for the consumers to go idle (capped).
      idle_waits_s: idleWaits,
      seconds_per_round: plan.seconds,
      collector,
      collector_ingest_only: alone,
      enqueue_only: enqueueOnly,
      baseline,
      ok: clean(collector) && clean(alone) && clean(enqueueOnly) && clean(baseline),
    };
  },
};
