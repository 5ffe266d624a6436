// End to end: N events with unique uuids, sent as fast as they are accepted, until the daily
// aggregates count every one of them. Then the same events into the direct-bulk Worker (one
// json_each INSERT per request into a raw table: what a competent simple Worker does) until
// its table holds them all, and a few into the row-per-event naive Worker (reported only).
import { collectorAggregated, storedRows, waitUntil } from "../lib/drain.mjs";
import { sendAll } from "../lib/load.mjs";
import { clientBodies } from "../lib/payload.mjs";

const DEFAULT_EVENTS = { full: 200_000, quick: 20_000, smoke: 2_000 };
// The naive Worker stores a few hundred events/s: it runs on fewer events (its figure is a
// rate, so a smaller run measures it as well) to keep the run short.
const NAIVE_EVENTS = { full: 20_000, quick: 2_000, smoke: 500 };
const TIMEOUT_MS = { full: 300_000, quick: 60_000, smoke: 30_000 };

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

const logRun = (ctx, name, r) =>
  ctx.log(
    `e2e ${name}: ${r.events_per_s} events/s, lost ${r.lost}${r.complete ? "" : " (timed out)"}` +
      (r.failures ? `, ${r.failures} FAILED requests ${JSON.stringify(r.statuses)}` : ""),
  );

export default {
  name: "e2e",
  order: 20,
  description: "events/s from first send until all are counted (collector) or stored (direct-bulk, naive)",
  servers: ["collector-e2e", "direct-bulk", "naive"],
  async run(ctx) {
    const { mode, concurrency } = ctx.options;
    const events = ctx.options.events ?? DEFAULT_EVENTS[mode];
    const perBody = ctx.template.count;
    const shape = ctx.options.e2eShape ?? "clients";
    const makeBodies = (n) => {
      const count = Math.ceil(n / perBody);
      const bodies =
        shape === "clients"
          ? clientBodies(ctx.template, count)
          : Array.from({ length: count }, () => ctx.template.body());
      bodies.eventsPerBody = perBody;
      return bodies;
    };
    const bodies = makeBodies(events);
    ctx.log(
      `e2e: ${bodies.length * perBody} events in ${bodies.length} requests (${shape}), concurrency ${concurrency}`,
    );

    const run = (server, read, list) =>
      drainRun({ worker: ctx.servers[server], read, bodies: list, concurrency, timeoutMs: TIMEOUT_MS[mode] });
    const collector = await run("collector-e2e", collectorAggregated, bodies);
    logRun(ctx, "collector", collector);
    // The same requests, fresh uuids (so the Worker stores every one).
    const direct = await run("direct-bulk", storedRows, makeBodies(events));
    logRun(ctx, "direct-bulk", direct);
    await ctx.stopServer("direct-bulk");
    const naiveBodies = makeBodies(Math.min(events, ctx.options.naiveEvents ?? NAIVE_EVENTS[mode]));
    const naive = await run("naive", storedRows, naiveBodies);
    logRun(ctx, "naive", naive);

    const ratio = (a, b) => Math.round((a.events_per_s / b.events_per_s) * 100) / 100;
    return {
      events: bodies.length * perBody,
      shape,
      events_per_s: collector.events_per_s,
      lost: collector.lost + direct.lost + naive.lost,
      direct_events_per_s: direct.events_per_s,
      vs_direct: ratio(collector, direct),
      naive_events_per_s: naive.events_per_s,
      naive_events: naiveBodies.length * perBody,
      vs_naive: ratio(collector, naive),
      collector,
      direct,
      naive,
      // A failed request (non-2xx or socket error) fails the run even if nothing it accepted was lost.
      ok:
        collector.complete &&
        direct.complete &&
        collector.lost + direct.lost + naive.lost === 0 &&
        collector.failures + direct.failures + naive.failures === 0,
    };
  },
};
