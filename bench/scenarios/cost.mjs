// Cost: what a million events costs on Cloudflare's list prices. N events in 100-event batches
// (the bench's realistic mix of events and properties), each batch from one install as clients
// send them (its one app version and OS), from N / 200 installs, through POST /v1/events of a metered collector
// (bench/workers/metered: every D1 statement's rows written and read, R2 operations, Queue
// messages and their 64 KB units, Durable Object calls and the rows its SQLite writes, Worker
// requests) until the aggregates count them all and the collector is idle; its workerd's CPU
// time is read from /proc. bench/lib/cost.mjs prices the units (bench/prices.json). Then a few
// batches one at a time, as a quiet deployment receives them (one message per delivery).
import { readFileSync } from "node:fs";
import { COST_TARGETS, costOf, monthlyBill, PRICES } from "../lib/cost.mjs";
import { collectorAggregated, waitUntil } from "../lib/drain.mjs";
import { sendAll } from "../lib/load.mjs";
import { BATCHES_PER_INSTALL, clientBodies } from "../lib/payload.mjs";
import { COLLECTOR_CONFIG, collectorDef } from "../lib/servers.mjs";
import { sleep, treeCpuSeconds, waitIdle } from "../lib/wrangler.mjs";

const SERVER = "collector-cost";
const EVENTS = { full: 100_000, quick: 20_000, smoke: 2_000 };
const QUIET_BATCHES = { full: 20, quick: 5, smoke: 2 };

/**
 * The per-install limit as deployed (wrangler.toml), so its bucket costs the limiter's objects
 * what it costs in production; the app's and the client's stay out of reach, since every batch
 * here comes from one address at a rate one app rarely sees.
 */
const INSTALL_LIMITS = Object.fromEntries(
  ["RATE_LIMIT_INSTALL_CAPACITY", "RATE_LIMIT_INSTALL_PER_SECOND", "RATE_LIMIT_LEASE_MAX_TOKENS"].map((name) => {
    const value = new RegExp(`^${name} = "([^"]+)"`, "m").exec(readFileSync(COLLECTOR_CONFIG, "utf8"))?.[1];
    if (value === undefined) throw new Error(`wrangler.toml: no ${name}`);
    return [name, value];
  }),
);

async function meterReading(worker, reset = false) {
  const res = await fetch(`${worker.url}/__meter${reset ? "?reset=1" : ""}`, { signal: AbortSignal.timeout(30_000) });
  if (res.status !== 200) throw new Error(`/__meter answered ${res.status}: ${await res.text()}`);
  return res.json();
}

/** Sends `list`, waits until every accepted event is counted and the collector is idle, and prices what it cost. */
async function measure(worker, list, send) {
  await meterReading(worker, true);
  const before = await collectorAggregated(worker);
  const cpuBefore = treeCpuSeconds(worker.pid, "workerd");
  const sent = await send(list);
  const wait = await waitUntil(() => collectorAggregated(worker), before + sent.accepted, {
    timeoutMs: 180_000,
    pollMs: 250,
  });
  // The limiter's objects write their buckets within a second of a call.
  await waitIdle(worker, { timeoutMs: 20_000 });
  const cpuAfter = treeCpuSeconds(worker.pid, "workerd");
  const stored = wait.value - before;
  const cpuMs = cpuBefore === null || cpuAfter === null ? null : Math.round((cpuAfter - cpuBefore) * 1000);
  return {
    accepted: sent.accepted,
    stored,
    lost: sent.accepted - stored,
    complete: wait.reachedAt !== null,
    failures: sent.failures,
    statuses: sent.statuses,
    ...costOf(await meterReading(worker), stored, cpuMs),
  };
}

/** Events a month the bill is shown for (docs/SCALING.md), and how long their storage is held. */
const VOLUMES = { "1M": 1e6, "100M": 1e8, "3B": 3e9 };
const D1_DAYS_HELD = 32; // the dedupe window; install rows 45 days, but ten times fewer
const R2_MONTHS_HELD = 13; // a 400-day lifecycle rule on the archive

/**
 * The monthly bill at each volume: these per-event units with each unit's monthly allowance
 * taken off, plus storage as held in a steady month (bytes per event from the storage scenario
 * of the same run, when it ran), next to PostHog Cloud's price for the same events.
 */
function billsFor(cost, storage) {
  const bills = {};
  for (const [name, events] of Object.entries(VOLUMES)) {
    const perDay = events / 30;
    const gbMonths = storage
      ? {
          d1: (storage.d1_bytes_per_event * perDay * D1_DAYS_HELD) / 1e9,
          r2: ((storage.r2_bytes_per_event ?? 0) * events * R2_MONTHS_HELD) / 1e9,
        }
      : { d1: 0, r2: 0 };
    const { posthog_cloud_anonymous_usd_per_million: anon, posthog_cloud_identified_usd_per_million: identified } =
      PRICES.comparison;
    bills[name] = {
      events_per_month: events,
      usd_per_month: monthlyBill(cost, events, gbMonths),
      storage_included: storage !== undefined,
      d1_gb: Math.round(gbMonths.d1 * 10) / 10,
      r2_gb: Math.round(gbMonths.r2 * 10) / 10,
      posthog_anonymous_usd: [anon.low * (events / 1e6), anon.high * (events / 1e6)],
      posthog_identified_usd: identified.usd * (events / 1e6),
    };
  }
  return bills;
}

export default {
  name: "cost",
  order: 65,
  description:
    "dollars per million events from every billable unit the platform reports (100-event batches, one install each)",
  servers: [SERVER],
  serverDefs: { [SERVER]: collectorDef({ metered: true, vars: INSTALL_LIMITS }) },
  async run(ctx) {
    const worker = ctx.servers[SERVER];
    const perBody = ctx.template.count;
    const count = Math.ceil(EVENTS[ctx.options.mode] / perBody);
    const busy = await measure(worker, clientBodies(ctx.template, count, BATCHES_PER_INSTALL), (list) =>
      sendAll({ baseUrl: worker.url, bodies: list, concurrency: 8, deadlineMs: 240_000 }),
    );
    ctx.log(
      `cost: ${busy.stored} events, $${busy.usd_per_million_events} per million, ${busy.d1_rows_written_per_event} D1 rows written per event`,
    );
    // A quiet deployment: each batch alone in its delivery (the queue waits max_batch_timeout, 1 s).
    const quiet = await measure(
      worker,
      clientBodies(ctx.template, QUIET_BATCHES[ctx.options.mode], BATCHES_PER_INSTALL),
      async (list) => {
        const results = [];
        for (const body of list) {
          results.push(await sendAll({ baseUrl: worker.url, bodies: [body], concurrency: 1, deadlineMs: 30_000 }));
          await sleep(1_500);
        }
        return {
          accepted: results.reduce((n, r) => n + r.accepted, 0),
          failures: results.reduce((n, r) => n + r.failures, 0),
          statuses: Object.assign({}, ...results.map((r) => r.statuses)),
        };
      },
    );
    ctx.log(`cost (one batch per delivery): $${quiet.usd_per_million_events} per million`);
    const meets = busy.usd_per_million_events <= COST_TARGETS.usdPerMillionEvents;
    const bills = billsFor(busy, ctx.results.storage);
    return {
      ...busy,
      events_per_batch: perBody,
      batches_per_install: BATCHES_PER_INSTALL,
      target_usd_per_million_events: COST_TARGETS.usdPerMillionEvents,
      target_d1_rows_written_per_event: COST_TARGETS.d1RowsWrittenPerEvent,
      one_batch_per_delivery: quiet,
      bills,
      lost: busy.lost + quiet.lost,
      ok: busy.complete && quiet.complete && busy.failures + quiet.failures === 0,
      summary:
        `$${busy.usd_per_million_events} per million events${meets ? " ✓" : " ✗"} (target ≤ $${COST_TARGETS.usdPerMillionEvents}); ` +
        `D1 ${busy.d1_rows_written_per_event} rows written per event (${busy.d1_rows_written_per_event_with_retention} with the later purge); ` +
        `one batch per delivery $${quiet.usd_per_million_events}`,
    };
  },
};
