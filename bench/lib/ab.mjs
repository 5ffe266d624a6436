// A/B throughput rounds with autocannon: the targets are driven in turn, round after round,
// with the same body, so that drift (thermal, other load) hits all of them alike.
import { cannon } from "./load.mjs";

/** Adds up status-code counts, e.g. { "202": 10, "429": 2 } + { "202": 5 }. */
export function mergeStatuses(list) {
  const out = {};
  for (const statuses of list) for (const [code, n] of Object.entries(statuses ?? {})) out[code] = (out[code] ?? 0) + n;
  return out;
}

/** " (429×12, 500×1)" for the non-2xx codes of a statuses map; "" when there are none. */
export function non2xxText(statuses) {
  const bad = Object.entries(statuses ?? {}).filter(([code]) => !code.startsWith("2"));
  return bad.length ? ` (${bad.map(([code, n]) => `${code}×${n}`).join(", ")})` : "";
}

/** One target's rounds as one figure: requests/s over all rounds, mean percentiles. */
export function combine(runs, eventsPerRequest = 1) {
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
    statuses: mergeStatuses(runs.map((r) => r.statuses)),
    rounds: runs.map((r) => ({
      requests_per_s: Math.round(r.requests_per_s * 10) / 10,
      p50: r.latency_ms.p50,
      p99: r.latency_ms.p99,
      non_2xx: r.non_2xx,
    })),
  };
}

/**
 * Runs `plan.warmup` seconds per target, then `plan.rounds` rounds of `plan.seconds` per
 * target, calling `quiesce()` (if given) before each measurement. Resolves with
 * { runs: { key: [cannon result…] }, idleWaits: [s…] }.
 */
export async function abRounds({ label, targets, path, body, plan, connections, headers, quiesce, log }) {
  const url = (w) => `${w.url}${path}`;
  if (plan.warmup > 0) {
    for (const w of Object.values(targets))
      await cannon({ url: url(w), body, seconds: plan.warmup, connections, headers });
  }
  const idleWaits = [];
  const runs = Object.fromEntries(Object.keys(targets).map((k) => [k, []]));
  for (let round = 0; round < plan.rounds; round++) {
    for (const [key, w] of Object.entries(targets)) {
      if (quiesce) idleWaits.push(await quiesce());
      const r = await cannon({ url: url(w), body, seconds: plan.seconds, connections, headers });
      runs[key].push(r);
      log(
        `${label} round ${round + 1}/${plan.rounds} ${key}: ${r.requests_per_s.toFixed(0)} req/s, p99 ${r.latency_ms.p99} ms` +
          (r.non_2xx ? `, ${r.non_2xx} NON-2XX${non2xxText(r.statuses)}` : "") +
          (r.errors + r.timeouts ? `, ${r.errors + r.timeouts} socket errors/timeouts` : ""),
      );
    }
  }
  return { runs, idleWaits: idleWaits.map((s) => Math.round(s * 10) / 10) };
}
