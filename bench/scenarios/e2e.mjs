// End to end: N events with unique uuids, sent as fast as they are accepted, until the daily
// aggregates count every one of them. Then the same events into the naive baseline.
import { collectorAggregated, naiveStored, waitUntil } from "../lib/drain.mjs";
import { sendAll } from "../lib/load.mjs";

const DEFAULT_EVENTS = { full: 200_000, quick: 20_000, smoke: 2_000 };
// The naive Worker stores a few hundred events/s: it runs on fewer events (its figure is a
// rate, so a smaller run measures it as well) to keep the run short.
const NAIVE_EVENTS = { full: 20_000, quick: 2_000, smoke: 500 };
const TIMEOUT_MS = { full: 300_000, quick: 40_000, smoke: 30_000 };

async function drainRun({ worker, read, bodies, concurrency, timeoutMs }) {
  const before = await read(worker);
  const send = await sendAll({ baseUrl: worker.url, bodies, concurrency, deadlineMs: timeoutMs });
  const target = before + send.accepted;
  const wait = await waitUntil(() => read(worker), target, {
    timeoutMs: Math.max(1000, send.started_at + timeoutMs - Date.now()),
    pollMs: 100,
  });
  const stored = wait.value - before;
  const seconds = ((wait.reachedAt ?? Date.now()) - send.started_at) / 1000;
  return {
    sent: bodies.length * (bodies.eventsPerBody ?? 0),
    accepted: send.accepted,
    stored,
    lost: send.accepted - stored,
    complete: wait.reachedAt !== null,
    seconds,
    send_seconds: send.seconds,
    events_per_s: Math.round(stored / seconds),
    accept_events_per_s: Math.round(send.accepted / send.seconds),
    failures: send.failures,
    statuses: send.statuses,
    latency_ms: send.latency_ms,
  };
}

export default {
  name: "e2e",
  order: 20,
  description: "events/s from first send until the D1 aggregates count them all; vs the naive Worker",
  servers: ["collector-e2e", "naive"],
  async run(ctx) {
    const { mode, concurrency } = ctx.options;
    const events = ctx.options.events ?? DEFAULT_EVENTS[mode];
    const perBody = ctx.template.count;
    const bodies = Array.from({ length: Math.ceil(events / perBody) }, () => ctx.template.body());
    bodies.eventsPerBody = perBody;
    ctx.log(`e2e: ${bodies.length * perBody} events in ${bodies.length} requests, concurrency ${concurrency}`);

    const collector = await drainRun({
      worker: ctx.servers["collector-e2e"],
      read: collectorAggregated,
      bodies,
      concurrency,
      timeoutMs: TIMEOUT_MS[mode],
    });
    ctx.log(
      `e2e collector: ${collector.events_per_s} events/s, lost ${collector.lost}${collector.complete ? "" : " (timed out)"}` +
        (collector.failures ? `, ${collector.failures} FAILED requests ${JSON.stringify(collector.statuses)}` : ""),
    );
    const naiveBodies = bodies.slice(
      0,
      Math.ceil(Math.min(events, ctx.options.naiveEvents ?? NAIVE_EVENTS[mode]) / perBody),
    );
    naiveBodies.eventsPerBody = perBody;
    const naive = await drainRun({
      worker: ctx.servers.naive,
      read: naiveStored,
      bodies: naiveBodies,
      concurrency,
      timeoutMs: TIMEOUT_MS[mode],
    });
    ctx.log(
      `e2e naive: ${naive.events_per_s} events/s, lost ${naive.lost}` +
        (naive.failures ? `, ${naive.failures} FAILED requests ${JSON.stringify(naive.statuses)}` : ""),
    );

    return {
      events: bodies.length * perBody,
      events_per_s: collector.events_per_s,
      lost: collector.lost,
      naive_events_per_s: naive.events_per_s,
      naive_events: naiveBodies.length * perBody,
      vs_naive: Math.round((collector.events_per_s / naive.events_per_s) * 100) / 100,
      collector,
      naive,
      // A failed request (non-2xx or socket error) fails the run even if nothing it accepted was lost.
      ok:
        collector.complete &&
        collector.lost === 0 &&
        naive.lost === 0 &&
        collector.failures === 0 &&
        naive.failures === 0,
    };
  },
};
