// Opt-in (`--only=stages`): where a request's time goes. Drives the no-op Worker, then the
// stages Worker cut after read / parse / validate / enqueue, then the real collector, with
// the same body, and turns requests/s into CPU-ish milliseconds per request. Then the event
// checker alone: the body's events judged in a loop inside workerd, µs per event; and the Queue
// message formats: `sendBatch` of the body's message as version 1 and version 2, alternating.
import { cannon } from "../lib/load.mjs";
import { ROOT } from "../lib/wrangler.mjs";

const SECONDS = { full: 8, quick: 3, smoke: 1 };

export default {
  name: "stages",
  order: 90,
  optIn: true,
  description: "per-stage cost of POST /v1/events (read, parse, validate, enqueue, + consumer)",
  servers: ["noop", "stages", "collector"],
  serverDefs: { stages: { config: `${ROOT}/bench/workers/stages/wrangler.toml`, readyPath: "/healthz" } },
  async run(ctx) {
    const { mode, connections } = ctx.options;
    const seconds = SECONDS[mode];
    const body = ctx.template.body();
    const steps = [
      ["noop", `${ctx.servers.noop.url}/v1/events`],
      ...["read", "parse", "validate", "enqueue"].map((s) => [s, `${ctx.servers.stages.url}/v1/events?stage=${s}`]),
      ["collector (with D1 consumer)", `${ctx.servers.collector.url}/v1/events`],
    ];
    // Warm up everything but the collector: its queue consumer would keep working through the
    // warm-up's backlog and steal CPU from the stages measured after it (it is measured last).
    for (const [, url] of steps.slice(0, -1)) await cannon({ url, body, seconds: 1, connections });
    const rows = [];
    for (const [name, url] of steps) {
      const r = await cannon({ url, body, seconds, connections });
      rows.push({
        stage: name,
        requests_per_s: Math.round(r.requests_per_s),
        ms_per_request: Math.round((1000 / r.requests_per_s) * 1000) / 1000,
        p50: r.latency_ms.p50,
        p99: r.latency_ms.p99,
      });
      ctx.log(
        `stages ${name}: ${r.requests_per_s.toFixed(0)} req/s (${(1000 / r.requests_per_s).toFixed(2)} ms/request), p99 ${r.latency_ms.p99} ms`,
      );
    }
    // The checker alone, five times (the median is kept: other processes share the cores).
    const loops = [];
    for (let i = 0; i < 5; i++) {
      const res = await fetch(`${ctx.servers.stages.url}/v1/events?stage=judge-loop&rounds=300`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body,
      });
      loops.push((await res.json()).us_per_event);
    }
    loops.sort((a, b) => a - b);
    const perEvent = Math.round(loops[2] * 1000) / 1000;
    // The Queue message formats, alternating (drift hits both alike), 300 sends per run.
    const sends = { 1: [], 2: [] };
    const bytes = {};
    for (let i = 0; i < 4; i++) {
      for (const version of [1, 2]) {
        const res = await fetch(`${ctx.servers.stages.url}/v1/events?stage=send-loop&version=${version}&rounds=300`, {
          method: "POST",
          headers: { "content-type": "application/json" },
          body,
        });
        const r = await res.json();
        sends[version].push(r.ms_per_message);
        bytes[version] = r.bytes;
      }
    }
    const meanMs = (list) => Math.round((list.reduce((n, x) => n + x, 0) / list.length) * 1000) / 1000;
    const messages = [1, 2].map((v) => ({ version: v, bytes: bytes[v], send_ms: meanMs(sends[v]), runs: sends[v] }));
    ctx.log(
      `stages: sendBatch of one message ${messages.map((m) => `v${m.version} ${m.send_ms} ms (${m.bytes} B)`).join(", ")}`,
    );
    const validate = rows.find((r) => r.stage === "validate");
    const parse = rows.find((r) => r.stage === "parse");
    const fromThroughput =
      Math.round((((validate.ms_per_request - parse.ms_per_request) * 1000) / ctx.template.count) * 100) / 100;
    ctx.log(`stages: the checker alone ${perEvent} µs per event (runs: ${loops.map((x) => x.toFixed(2)).join(", ")})`);
    return {
      seconds_per_stage: seconds,
      rows,
      validation_us_per_event: perEvent,
      validation_us_per_event_runs: loops,
      // (validate − parse) ÷ events per request: the same cost seen through HTTP throughput.
      validation_us_per_event_from_throughput: fromThroughput,
      queue_messages: messages,
      summary: `${rows.map((r) => `${r.stage} ${r.ms_per_request} ms`).join(" · ")} · checker ${perEvent} µs/event`,
    };
  },
};
