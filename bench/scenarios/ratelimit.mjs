// Rate limiter cost: POST /v1/events with the realistic batch on two collectors that differ
// only in RATE_LIMIT_ENABLED, alternating A/B like ingest. "on" is the ingest scenario's
// collector (limiter on, every limit far above what the run reaches, so the limiter is
// consulted on every request but never refuses); "off" is a second definition with
// RATE_LIMIT_ENABLED "false". It runs right after ingest, while that collector is still up.
import { abRounds, combine } from "../lib/ab.mjs";
import { collectorDef } from "../lib/servers.mjs";
import { waitIdle } from "../lib/wrangler.mjs";

const ROUNDS = {
  full: { rounds: 4, seconds: 10, warmup: 2, idleTimeoutMs: 60_000 },
  quick: { rounds: 2, seconds: 2, warmup: 1, idleTimeoutMs: 5_000 },
  smoke: { rounds: 1, seconds: 1, warmup: 0, idleTimeoutMs: 3_000 },
};
/** The limiter may cost at most this share of throughput: on ÷ off ≥ 0.9. */
export const RATELIMIT_TARGET = 0.9;

const ON = "collector";
const OFF = "collector-ratelimit-off";

export default {
  name: "ratelimit",
  order: 15,
  description: "POST /v1/events throughput with the rate limiter on (unreachable limits) ÷ off, A/B/A/B",
  // A ratio from 1 s rounds is noise: in smoke mode it runs only when asked (--only=ratelimit).
  optIn: ["smoke"],
  servers: [ON, OFF],
  serverDefs: { [OFF]: collectorDef({ vars: { RATE_LIMIT_ENABLED: "false" } }) },
  async run(ctx) {
    const { mode, connections } = ctx.options;
    const plan = ROUNDS[mode];
    const on = ctx.servers[ON];
    const off = ctx.servers[OFF];
    // Both collectors' queue consumers work through the previous rounds' (duplicate) batches:
    // wait for both to go idle before every measurement.
    const quiesce = async () =>
      (await waitIdle(on, { timeoutMs: plan.idleTimeoutMs })) +
      (await waitIdle(off, { timeoutMs: plan.idleTimeoutMs }));
    const { runs, idleWaits } = await abRounds({
      label: "ratelimit",
      targets: { on, off },
      path: "/v1/events",
      body: ctx.template.body(),
      plan,
      connections,
      quiesce,
      log: ctx.log,
    });
    // Both collectors are stopped by the harness once no later scenario needs them.

    const limiterOn = combine(runs.on, ctx.template.count);
    const limiterOff = combine(runs.off, ctx.template.count);
    const ratio = Math.round((limiterOn.requests_per_s / limiterOff.requests_per_s) * 1000) / 1000;
    const clean = (r) => r.non_2xx === 0 && r.errors === 0;
    return {
      ratio, // limiter on req/s ÷ limiter off req/s
      cost: Math.round((1 - ratio) * 1000) / 1000,
      target_ratio: RATELIMIT_TARGET,
      connections,
      rounds: plan.rounds,
      seconds_per_round: plan.seconds,
      idle_waits_s: idleWaits,
      on: limiterOn,
      off: limiterOff,
      ok: clean(limiterOn) && clean(limiterOff),
    };
  },
};
