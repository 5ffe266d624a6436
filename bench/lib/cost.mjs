// Billable units → dollars: a metered collector's counts (bench/workers/metered, GET /__meter)
// turned into the units Cloudflare bills, priced by bench/prices.json (one file: each list
// price with its date and source).
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { ROOT } from "./wrangler.mjs";

export const PRICES = JSON.parse(readFileSync(join(ROOT, "bench/prices.json"), "utf8"));

/** The targets: dollars and D1 rows written per stored event. */
export const COST_TARGETS = { usdPerMillionEvents: 0.1, d1RowsWrittenPerEvent: 0.1 };

/** Tables whose rows a later job deletes again (each delete is a row written): the dedupe index (packed, or single keys before packs), the install-day rows. */
const DELETED_LATER = ["event_packs", "event_uuids", "daily_active_installs"];

/**
 * The billable units of a meter reading, and their dollars per million `events`.
 * `cpuMs` is the CPU the collector's workerd process used (it includes local D1, R2 and the
 * queue broker, which production does not bill as Worker CPU: an upper bound).
 */
export function costOf(reading, events, cpuMs) {
  const { d1, r2, queues, durableObjects, workerRequests } = reading;
  const byTable = d1.writtenByTable ?? {};
  const deletedLater = DELETED_LATER.reduce((n, table) => n + (byTable[table] ?? 0), 0);
  const units = {
    worker_requests: workerRequests.fetch + workerRequests.queue + workerRequests.scheduled,
    worker_cpu_ms: cpuMs ?? 0,
    // Written at send, read and deleted at delivery: three operations per 64 KB; a retry reads again.
    queue_operations: 3 * queues.units64k + queues.retries,
    d1_rows_written: d1.rowsWritten + deletedLater,
    d1_rows_read: d1.rowsRead,
    r2_class_a: r2.puts + r2.lists,
    r2_class_b: r2.gets + (r2.heads ?? 0),
    durable_object_requests: durableObjects.requests,
    durable_object_rows_written: durableObjects.sqlRowsWritten ?? 0,
  };
  const breakdown = {};
  let usd = 0;
  for (const [unit, count] of Object.entries(units)) {
    const price = PRICES.units[unit];
    const perEvent = count / events;
    const usdPerMillion = (perEvent * 1e6 * price.usd) / price.per;
    usd += usdPerMillion;
    breakdown[unit] = { count, per_event: round(perEvent, 5), usd_per_million_events: round(usdPerMillion, 5) };
  }
  return {
    events,
    usd_per_million_events: round(usd, 4),
    d1_rows_written_per_event: round(d1.rowsWritten / events, 4),
    d1_rows_written_per_event_with_retention: round((d1.rowsWritten + deletedLater) / events, 4),
    d1_rows_written_by_table: byTable,
    breakdown,
    queue_messages: queues.messages,
    queue_deliveries: queues.deliveries,
  };
}

/**
 * What a month of `events` costs: the per-event units of `cost` at that volume, each unit's
 * monthly allowance taken off, plus storage (`gbMonths`: { d1, r2 } held in a steady month).
 */
export function monthlyBill(cost, eventsPerMonth, gbMonths = { d1: 0, r2: 0 }) {
  let usd = 0;
  for (const [unit, { per_event }] of Object.entries(cost.breakdown)) {
    const price = PRICES.units[unit];
    const billable = Math.max(0, per_event * eventsPerMonth - price.included_per_month);
    usd += (billable * price.usd) / price.per;
  }
  const { d1_gb_month: d1, r2_gb_month: r2 } = PRICES.storage;
  usd += Math.max(0, gbMonths.d1 - d1.included_gb) * d1.usd + gbMonths.r2 * r2.usd;
  return round(usd, 2);
}

function round(n, digits) {
  const f = 10 ** digits;
  return Math.round(n * f) / f;
}
