// The one-screen summary of a bench report (the JSON has everything else).
const fmt = (n, digits = 0) =>
  typeof n === "number"
    ? n.toLocaleString("en-US", { maximumFractionDigits: digits, minimumFractionDigits: digits })
    : "—";
const pct = (x) => (typeof x === "number" ? `${(x * 100).toFixed(1)}%` : "—");
const mark = (ok) => (ok === undefined ? "" : ok ? "  ✓" : "  ✗");

export const TARGETS = {
  ingestVsEnqueue: 0.7,
  vsDirect: 2,
  consumerEventsPerS: 100_000,
  d1BytesPerEvent: 64,
  validationUsPerEvent: 1.5,
  ratelimitRatio: 0.9,
};

/** "  non-2xx: 429×12" for a statuses map holding anything but 2xx; "" otherwise. */
const badStatuses = (statuses) => {
  const bad = Object.entries(statuses ?? {}).filter(([code]) => !code.startsWith("2"));
  return bad.length ? `  NON-2XX: ${bad.map(([code, n]) => `${code}×${n}`).join(", ")}` : "";
};

export function printTable(r) {
  const lines = [];
  const row = (...cells) =>
    lines.push(
      cells
        .map((c, i) => String(c).padEnd(i === 0 ? 24 : 16))
        .join("")
        .trimEnd(),
    );
  /** An A/B comparison: one row per side, then their ratio against its target. */
  const abTable = (title, sides, ratioLabel, ratio, target) => {
    lines.push("");
    lines.push(title);
    row("", "req/s", "events/s", "p50 ms", "p99 ms", "non-2xx");
    for (const [label, x] of sides) {
      const failed = x.non_2xx + x.errors;
      row(
        label,
        fmt(x.requests_per_s, 1),
        fmt(x.events_per_s),
        fmt(x.latency_ms.p50, 1),
        fmt(x.latency_ms.p99, 1),
        fmt(failed) + mark(failed === 0) + badStatuses(x.statuses),
      );
    }
    row(ratioLabel, pct(ratio) + mark(ratio >= target), `target ≥ ${pct(target)}`);
  };
  lines.push("");
  lines.push(
    `edgehog bench — ${r.mode} — ${r.machine.cpu} × ${r.machine.cores}, node ${r.machine.node}, workerd ${r.machine.workerd}`,
  );
  lines.push(
    `payload: ${r.payload.events} events / ${fmt(r.payload.bytes)} bytes per request; run took ${fmt(r.duration_s, 1)} s`,
  );
  if (r.ingest && !r.ingest.error) {
    abTable(
      `INGEST  POST /v1/events, ${r.ingest.rounds}×${r.ingest.seconds_per_round} s A/B/C/D, ${r.ingest.connections} connections`,
      [
        ["collector", r.ingest.collector],
        ...(r.ingest.collector_ingest_only ? [["… without consumer", r.ingest.collector_ingest_only]] : []),
        ["enqueue-only", r.ingest.enqueue_only],
        ["no-op", r.ingest.baseline],
      ],
      "÷ enqueue-only",
      r.ingest.ratio_vs_enqueue,
      TARGETS.ingestVsEnqueue,
    );
    if (r.ingest.ingest_alone_ratio_vs_enqueue !== undefined) {
      row(
        "… without ÷ enq.",
        pct(r.ingest.ingest_alone_ratio_vs_enqueue),
        "(reported: no consumer, so no queue deliveries either)",
      );
    }
    row("÷ no-op", pct(r.ingest.ratio), "(reported)");
  }
  if (r.e2e && !r.e2e.error) {
    const { collector: c, direct: d, naive: n } = r.e2e;
    lines.push("");
    lines.push(
      `END TO END  ${fmt(r.e2e.events)} unique events (naive: ${fmt(r.e2e.naive_events)}), first send → all counted / stored`,
    );
    row("", "events/s", "seconds", "accept ev/s", "lost", "failures");
    for (const [label, x] of [
      ["collector (aggregates)", c],
      ["direct-bulk (raw rows)", d],
      ["naive (row per event)", n],
    ]) {
      row(
        label,
        fmt(x.events_per_s),
        fmt(x.seconds, 2),
        fmt(x.accept_events_per_s),
        fmt(x.lost) + mark(x.lost === 0 && x.complete),
        fmt(x.failures) + mark(x.failures === 0) + badStatuses(x.statuses),
      );
    }
    row(
      "vs_direct",
      `${fmt(r.e2e.vs_direct, 2)}×${mark(r.e2e.vs_direct >= TARGETS.vsDirect)}`,
      `target ≥ ${TARGETS.vsDirect}×`,
    );
    row("vs_naive", `${fmt(r.e2e.vs_naive, 2)}×`, "(reported)");
  }
  if (r.consumer && !r.consumer.error) {
    const x = r.consumer;
    lines.push("");
    lines.push(
      `CONSUMER  ${x.deliveries} deliveries of ${fmt(x.events_per_delivery)} events into a database holding ${fmt(x.prefilled_events)}`,
    );
    row("", "events/s", "ms/delivery", "D1 ms", "R2 ms", "first → last");
    row(
      "storeDelivery",
      `${fmt(x.events_per_s)}${mark(x.events_per_s >= TARGETS.consumerEventsPerS)}`,
      fmt(x.ms_per_delivery, 1),
      fmt(x.database_ms, 1),
      fmt(x.archive_ms, 1),
      `${fmt(x.first_events_per_s)} → ${fmt(x.last_events_per_s)}`,
    );
    row("target", `≥ ${fmt(TARGETS.consumerEventsPerS)}`, `duplicates: ${fmt(x.duplicates_events_per_s)} events/s`);
  }
  if (r.storage && !r.storage.error) {
    const x = r.storage;
    lines.push("");
    lines.push(`STORAGE  ${fmt(x.events)} events from ${fmt(x.installs)} installs (ten per install and day)`);
    row(
      "D1 bytes per event",
      `${fmt(x.d1_bytes_per_event, 1)}${mark(x.d1_bytes_per_event <= TARGETS.d1BytesPerEvent)}`,
      `target ≤ ${TARGETS.d1BytesPerEvent}`,
      `R2 ${fmt(x.r2_bytes_per_event, 1)} per event`,
    );
    lines.push(
      `  ${Object.entries(x.d1_tables)
        .slice(0, 6)
        .map(([name, bytes]) => `${name} ${fmt(bytes / x.events, 1)}`)
        .join(", ")}`,
    );
  }
  if (r.stages && !r.stages.error && typeof r.stages.validation_us_per_event === "number") {
    lines.push("");
    lines.push(`STAGES  ${r.stages.summary}`);
    row(
      "checker µs/event",
      `${fmt(r.stages.validation_us_per_event, 2)}${mark(r.stages.validation_us_per_event <= TARGETS.validationUsPerEvent)}`,
      `target ≤ ${TARGETS.validationUsPerEvent}`,
    );
  }
  if (r.sustained && !r.sustained.error) {
    const s = r.sustained;
    lines.push("");
    lines.push(
      `SUSTAINED  ${fmt(s.target_requests_per_s)} req/s (${fmt(s.target_events_per_s)} events/s, ${s.based_on}) for ${s.seconds} s`,
    );
    row("", "achieved req/s", "accepted", "aggregated", "lost");
    row(
      "collector",
      fmt(s.achieved_requests_per_s, 1),
      fmt(s.accepted),
      fmt(s.aggregated),
      fmt(s.lost) + mark(s.lost === 0 && s.complete),
    );
    lines.push(
      `  p50/p99 ${fmt(s.latency_ms.p50, 1)}/${fmt(s.latency_ms.p99, 1)} ms, drained ${fmt(s.drain_seconds_after_send, 1)} s after the last answer, failures ${s.failures}${mark(s.failures === 0)}${badStatuses(s.statuses)}, missed sends ${s.missed_sends}`,
    );
  }
  if (r.ratelimit && !r.ratelimit.error) {
    abTable(
      `RATE LIMITER  POST /v1/events, limiter on (limits out of reach) vs off, ${r.ratelimit.rounds}×${r.ratelimit.seconds_per_round} s A/B, ${r.ratelimit.connections} connections`,
      [
        ["limiter on", r.ratelimit.on],
        ["limiter off", r.ratelimit.off],
      ],
      "ratio on ÷ off",
      r.ratelimit.ratio,
      TARGETS.ratelimitRatio,
    );
  }
  if (r.usage && !r.usage.error) {
    const { fixed: f, fresh: u } = r.usage;
    lines.push("");
    lines.push(
      `USAGE  POST /v1/usage, tenant token, ${r.usage.reports_per_request} reports / ${fmt(r.usage.body_bytes)} bytes per request`,
    );
    row("", "req/s", "reports/s", "p50 ms", "p99 ms", "non-2xx / lost");
    row(
      "fixed body (dupes)",
      fmt(f.requests_per_s, 1),
      fmt(f.reports_per_s),
      fmt(f.latency_ms.p50, 1),
      fmt(f.latency_ms.p99, 1),
      fmt(f.non_2xx + f.errors) + mark(f.non_2xx + f.errors === 0) + badStatuses(f.statuses),
    );
    row(
      "fresh reports",
      fmt(u.requests_per_s, 1),
      fmt(u.reports_per_s),
      fmt(u.latency_ms.p50, 1),
      fmt(u.latency_ms.p99, 1),
      `${fmt(u.failures)} / ${fmt(r.usage.lost)}${mark(u.failures === 0 && r.usage.lost === 0)}${badStatuses(u.statuses)}`,
    );
    lines.push(
      `  fresh: ${fmt(u.requests)} requests (${u.concurrency} in flight), ${fmt(u.accepted)} reports accepted, ${fmt(u.stored)} stored`,
    );
  }
  const known = new Set([
    "mode",
    "started_at",
    "duration_s",
    "payload",
    "startup_s",
    "machine",
    "ok",
    "ingest",
    "e2e",
    "sustained",
    "ratelimit",
    "usage",
    "consumer",
    "storage",
    "stages",
  ]);
  for (const [name, value] of Object.entries(r)) {
    if (known.has(name) || typeof value !== "object" || value === null) continue;
    lines.push("");
    lines.push(`${name.toUpperCase()}  ${value.summary ?? JSON.stringify(value).slice(0, 150)}`);
  }
  for (const [name, value] of Object.entries(r)) {
    if (value && typeof value === "object" && value.error) lines.push(`\n${name}: FAILED: ${value.error}`);
  }
  lines.push("");
  lines.push(`result: ${r.ok ? "OK (nothing lost)" : "FAILED"}`);
  console.log(lines.join("\n"));
}
