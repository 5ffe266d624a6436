// Ingest: POST /v1/events with the realistic 100-event batch, collector vs no-op baseline,
// alternating A/B so that drift (thermal, other load) hits both alike.
import { cannon } from "../lib/load.mjs";
import { waitIdle } from "../lib/wrangler.mjs";

const ROUNDS = {
  full: { rounds: 4, seconds: 10, warmup: 2, idleTimeoutMs: 60_000 },
  quick: { rounds: 2, seconds: 3, warmup: 1, idleTimeoutMs: 6_000 },
  smoke: { rounds: 1, seconds: 1, warmup: 0, idleTimeoutMs: 3_000 },
};

function combine(runs, eventsPerRequest) {
  const requests = runs.reduce((n, r) => n + r.requests, 0);
  const seconds = runs.reduce((n, r) => n + r.seconds, 0);
  const mean = (f) => Math.round((runs.reduce((n, r) => n + f(r), 0) / runs.length) * 100) / 100;
  const rps = requests / seconds;
  return {
    requests_per_s: Math.round(rps * 10) / 10,
    events_per_s: Math.round(rps * eventsPerRequest),
    latency_ms: { p50: mean((r) => r.latency_ms.p50), p99: mean((r) => r.latency_ms.p99) },
    requests,
    non_2xx: runs.reduce((n, r) => n + r.non_2xx, 0),
    errors: runs.reduce((n, r) => n + r.errors + r.timeouts, 0),
    rounds: runs.map((r) => ({
      requests_per_s: Math.round(r.requests_per_s * 10) / 10,
      p50: r.latency_ms.p50,
      p99: r.latency_ms.p99,
    })),
  };
}

export default {
  name: "ingest",
  order: 10,
  description: "POST /v1/events throughput: collector ÷ no-op Worker, same body, A/B/A/B",
  servers: ["collector", "noop"],
  async run(ctx) {
    const { mode, connections } = ctx.options;
    const plan = ROUNDS[mode];
    const body = ctx.template.body(); // fixed uuids: every request is still validated and enqueued
    const targets = { collector: ctx.servers.collector, baseline: ctx.servers.noop };
    if (plan.warmup > 0) {
      for (const w of Object.values(targets))
        await cannon({ url: `${w.url}/v1/events`, body, seconds: plan.warmup, connections });
    }
    // Before every round, wait for the collector's queue consumer to drain the previous
    // round's backlog: otherwise it steals CPU from whichever server is measured next.
    const quiesce = async () => waitIdle(ctx.servers.collector, { timeoutMs: plan.idleTimeoutMs });
    const idleWaits = [];
    const runs = { collector: [], baseline: [] };
    for (let round = 0; round < plan.rounds; round++) {
      for (const [key, w] of Object.entries(targets)) {
        idleWaits.push(await quiesce());
        const r = await cannon({ url: `${w.url}/v1/events`, body, seconds: plan.seconds, connections });
        runs[key].push(r);
        ctx.log(
          `ingest round ${round + 1}/${plan.rounds} ${key}: ${r.requests_per_s.toFixed(0)} req/s, p99 ${r.latency_ms.p99} ms${r.non_2xx ? `, ${r.non_2xx} non-2xx` : ""}`,
        );
      }
    }
    // The collector's queue still holds the (duplicate) batches of these runs: stop it so its
    // consumer does not steal CPU from the scenarios that follow.
    await ctx.stopServer("collector");

    const collector = combine(runs.collector, ctx.template.count);
    const baseline = combine(runs.baseline, ctx.template.count);
    return {
      ratio: Math.round((collector.requests_per_s / baseline.requests_per_s) * 1000) / 1000,
      body_bytes: ctx.template.bytes,
      events_per_request: ctx.template.count,
      connections,
      rounds: plan.rounds,
      // Seconds waited before each round for the collector's consumer to go idle (capped).
      idle_waits_s: idleWaits.map((s) => Math.round(s * 10) / 10),
      seconds_per_round: plan.seconds,
      collector,
      baseline,
      ok: collector.non_2xx === 0 && collector.errors === 0,
    };
  },
};
