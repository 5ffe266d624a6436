// The consumer alone: 10,000-event deliveries stored by edgehog's own storeDelivery (one D1
// transaction, the R2 archive) into a database that already holds N events, timed inside the
// Worker (bench/workers/consumer). Then the same deliveries again: every event a duplicate.
// Flat means the last deliveries take no longer than the first. Then one delivery's events
// encoded both ways the archive has known (Parquet now, gzipped NDJSON before), alternating.

const PLAN = {
  full: { prefill: 1_000_000, deliveries: 30, events: 10_000 },
  quick: { prefill: 200_000, deliveries: 10, events: 10_000 },
  smoke: { prefill: 20_000, deliveries: 2, events: 2_000 },
};

async function post(worker, path) {
  const res = await fetch(`${worker.url}${path}`, { method: "POST", signal: AbortSignal.timeout(120_000) });
  if (res.status !== 200) throw new Error(`${path} answered ${res.status}: ${await res.text()}`);
  return res.json();
}

const perSecond = (rows) =>
  Math.round(rows.reduce((n, r) => n + r.events, 0) / (rows.reduce((n, r) => n + r.ms, 0) / 1000));
const mean = (rows, key) => Math.round((rows.reduce((n, r) => n + r[key], 0) / rows.length) * 10) / 10;

export default {
  name: "consumer",
  order: 40,
  description: "10,000-event deliveries through storeDelivery into a database holding 1 M events: events/s, flat",
  servers: ["consumer"],
  async run(ctx) {
    const plan = { ...PLAN[ctx.options.mode] };
    if (ctx.options.prefill) plan.prefill = ctx.options.prefill;
    const worker = ctx.servers.consumer;
    const prefill = await post(worker, `/prefill?events=${plan.prefill}`);
    ctx.log(`consumer: prefilled ${prefill.events} events and ${prefill.installs} installs in ${prefill.ms} ms`);
    // Two deliveries to warm up the isolate and its caches (not counted).
    for (let round = 0; round < 2; round++) await post(worker, `/replay?round=${1_000 + round}&events=${plan.events}`);

    const fresh = [];
    for (let round = 0; round < plan.deliveries; round++) {
      const r = await post(worker, `/replay?round=${round}&events=${plan.events}`);
      fresh.push(r);
      ctx.log(
        `consumer: delivery ${round + 1}/${plan.deliveries}: ${r.events} events in ${r.ms} ms (D1 ${r.databaseMs}, R2 ${r.archiveMs})`,
      );
    }
    const replayed = [];
    for (let round = 0; round < Math.min(plan.deliveries, 5); round++) {
      replayed.push(await post(worker, `/replay?round=${round}&events=${plan.events}`));
    }
    const formats = await post(worker, `/archive-formats?round=0&events=${plan.events}&runs=5`);
    const median = (list) => [...list].sort((a, b) => a - b)[Math.floor(list.length / 2)];
    const archiveFormats = Object.fromEntries(
      ["ndjson", "parquet"].map((name) => [
        name,
        {
          bytes_per_event: formats[name].bytes_per_event,
          ms_per_delivery: median(formats[name].ms),
          runs_ms: formats[name].ms,
        },
      ]),
    );
    ctx.log(`consumer: archive formats per ${plan.events}-event delivery: ${JSON.stringify(archiveFormats)}`);
    const window = Math.max(1, Math.min(5, Math.floor(fresh.length / 2)));
    const first = fresh.slice(0, window);
    const last = fresh.slice(-window);
    const result = {
      prefilled_events: plan.prefill,
      deliveries: fresh.length,
      events_per_delivery: plan.events,
      events_per_s: perSecond(fresh),
      // Mean ms per delivery, and its split: plan + D1 transaction, then the R2 archive.
      ms_per_delivery: mean(fresh, "ms"),
      database_ms: mean(fresh, "databaseMs"),
      archive_ms: mean(fresh, "archiveMs"),
      first_events_per_s: perSecond(first),
      last_events_per_s: perSecond(last),
      // last ÷ first: about 1 when storing stays flat as the database grows.
      flatness: Math.round((perSecond(last) / perSecond(first)) * 100) / 100,
      duplicates_events_per_s: perSecond(replayed),
      archived_bytes_per_event: Math.round(
        fresh.reduce((n, r) => n + r.archivedBytes, 0) / fresh.reduce((n, r) => n + r.events, 0),
      ),
      objects_per_delivery: mean(fresh, "objects"),
      archive_formats: archiveFormats,
      ok: true,
    };
    result.summary =
      `${result.events_per_s.toLocaleString("en-US")} events/s (${result.ms_per_delivery} ms per ${plan.events.toLocaleString("en-US")}-event delivery: ` +
      `D1 ${result.database_ms}, R2 ${result.archive_ms}); first ${result.first_events_per_s.toLocaleString("en-US")}, ` +
      `last ${result.last_events_per_s.toLocaleString("en-US")} events/s; duplicates ${result.duplicates_events_per_s.toLocaleString("en-US")} events/s`;
    return result;
  },
};
