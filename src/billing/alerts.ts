import { isoTime, utcDay } from "../lib/time";
import { type Contract, FIGURE_NAMES, type FigureName, readContracts } from "./contracts";
import type { BillingRow } from "./queries";
import { type BillingEvent, eventStatement } from "./webhooks/outbox";

/**
 * What billing tells an invoicing system, after each run of the figures (the hourly job):
 *
 * - `billing.usage.threshold`: a period's figure reached 90 % or 100 % of the quantity its
 *   tenant's contract names. Once per period, figure and level, whatever the figure does later
 *   (an average may fall back and rise again). Judged on the periods that are not final, and on
 *   a period in the run that announces it final (a figure may cross during its grace days), from
 *   the period holding the contract's last change on.
 * - `billing.period.final`: a period's final row, once: the figures as billed, never again
 *   (a late report changes no final figure, and announces nothing).
 *
 * Every final row without its event gets one, so a run that stopped half-way is completed by
 * the next; the final rows billed before webhooks existed were marked announced by migration
 * 0014. Each event is written in its own statement, keyed so that it exists once.
 */

export const THRESHOLD_LEVELS = [90, 100] as const;

/** Whether `value` reached `level` % of `contracted`, exactly (figures have two decimals). */
export function reached(value: number, contracted: number, level: number): boolean {
  return Math.round(value * 100) * 100 >= contracted * 100 * level;
}

function thresholdEvents(row: BillingRow, contract: Contract, createdAt: () => number): BillingEvent[] {
  const events: BillingEvent[] = [];
  for (const figure of FIGURE_NAMES) {
    const contracted = contract.quantities[figure];
    if (contracted === null) continue;
    for (const level of THRESHOLD_LEVELS) {
      if (!reached(row[figure], contracted, level)) continue;
      events.push({
        type: "billing.usage.threshold",
        tenantId: row.tenant_id,
        subject: `${row.month}/${figure}/${level}`,
        createdAt: createdAt(),
        data: {
          tenant_id: row.tenant_id,
          month: row.month,
          period_start: row.period_start,
          period_end: row.period_end,
          figure,
          level,
          value: row[figure],
          contracted,
          final: row.state === "final",
          computed_at: isoTime(row.computed_at),
        },
      });
    }
  }
  return events;
}

function finalEvent(row: BillingRow, contract: Contract | undefined, createdAt: number): BillingEvent {
  const quantities = Object.fromEntries(FIGURE_NAMES.map((f) => [f, contract?.quantities[f] ?? null])) as Record<
    FigureName,
    number | null
  >;
  return {
    type: "billing.period.final",
    tenantId: row.tenant_id,
    subject: row.month,
    createdAt,
    data: {
      tenant_id: row.tenant_id,
      month: row.month,
      period_start: row.period_start,
      period_end: row.period_end,
      term_start: row.term_start,
      term_end: row.term_end,
      mau: row.mau,
      tpr: row.tpr,
      mwi: row.mwi,
      mau_high_water: row.mau_high_water,
      tpr_high_water: row.tpr_high_water,
      mwi_high_water: row.mwi_high_water,
      contracted: quantities,
      formula_version: row.formula_version,
      computed_at: isoTime(row.computed_at),
    },
  };
}

/**
 * Writes the threshold and final-period events the billing rows call for at `now`; resolves to
 * how many new events of each kind were written (one already written is not written again).
 */
export async function emitBillingEvents(db: D1Database, now: number) {
  const contracts = await readContracts(db);
  const { results } = await db
    .prepare(
      `SELECT b.* FROM billing_usage AS b
       WHERE b.formula_version >= 2 AND (b.state <> 'final' OR NOT EXISTS (
         SELECT 1 FROM billing_events AS e
         WHERE e.tenant_id = b.tenant_id AND e.type = 'billing.period.final' AND e.subject = b.month))
       ORDER BY b.tenant_id, b.period_start`,
    )
    .all<BillingRow>();
  let order = 0;
  const createdAt = () => now + order++;
  const events: BillingEvent[] = [];
  for (const row of results) {
    const contract = contracts.get(row.tenant_id);
    // A contract is judged from the period holding its last change on: an older period was not sold by it.
    if (contract && row.period_end >= utcDay(contract.changed_at))
      events.push(...thresholdEvents(row, contract, createdAt));
    if (row.state === "final") events.push(finalEvent(row, contract, createdAt()));
  }
  if (events.length === 0) return { thresholds: 0, finals: 0 };
  const statements = await Promise.all(events.map((event) => eventStatement(db, event)));
  const written = await db.batch(statements);
  const added = (type: BillingEvent["type"]) =>
    events.reduce((n, event, i) => n + (event.type === type ? (written[i]?.meta.changes ?? 0) : 0), 0);
  return { thresholds: added("billing.usage.threshold"), finals: added("billing.period.final") };
}
