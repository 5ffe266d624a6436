import type { EventDatabases } from "../lib/event-databases";
import { Sketch } from "../lib/hyperloglog";
import { type CountCell, countCell } from "../lib/small-groups";
import { reachesHistory } from "../stats/installs";
import { appFeaturesOf, featuresOr } from "./catalogue";
import type { Range } from "./range";

/**
 * Adoption: per catalogue event of the app, the distinct installs that sent it over the range
 * and their share of the installs active in it. Exact from the install-day rows' feature bits;
 * estimated from the folded days' sketches once the range reaches them (`exact: false`). Each
 * count goes through the small-group rule (`"< k"`, or `"> n"` when nearly every install sent
 * it: the few that did not are a small group too).
 */

export interface AdoptionRow {
  event: string;
  installs: CountCell;
  /** installs / active_installs, or null when installs is not published as a number. */
  share: number | null;
}

export interface Adoption {
  active_installs: CountCell;
  events: AdoptionRow[];
  exact: boolean;
}

export async function readAdoption(
  databases: EventDatabases,
  app: string,
  range: Range,
  minInstalls: number,
): Promise<Adoption> {
  const events = [...appFeaturesOf(app).events].map(([event, features]) => ({ event, bit: features.bit }));
  const exact = !(await reachesHistory(databases, app, range.from, range.to));
  const counts = exact
    ? await exactCounts(databases, app, range, events)
    : await estimatedCounts(databases, app, range, events);
  const active = counts.active;
  return {
    active_installs: countCell(active, minInstalls),
    events: events
      .map(({ event, bit }) => {
        const n = counts.byBit.get(bit) ?? 0;
        const installs =
          active < minInstalls ? countCell(n === 0 ? 0 : 1, minInstalls) : countCell(n, minInstalls, active);
        return { event, installs, share: typeof installs === "number" && active > 0 ? round(installs / active) : null };
      })
      .sort((a, b) => rank(b.installs) - rank(a.installs) || a.event.localeCompare(b.event)),
    exact,
  };
}

const round = (x: number) => Math.round(x * 10_000) / 10_000;
/** Order published numbers first by size; masked cells by the bound they show. */
const rank = (cell: CountCell) => (typeof cell === "number" ? cell : Number(cell.replace(/[^0-9]/g, "")) - 0.5);

interface Counts {
  active: number;
  byBit: Map<number, number>;
}

async function exactCounts(
  databases: EventDatabases,
  app: string,
  range: Range,
  events: { bit: number }[],
): Promise<Counts> {
  const sql = `WITH per AS (
    SELECT ${featuresOr(events.map((e) => e.bit))} AS f FROM daily_active_installs
    WHERE app = ?1 AND day BETWEEN ?2 AND ?3 GROUP BY distinct_id)
  SELECT COUNT(*) AS active, ${events.map((e) => `SUM(f & ${2 ** e.bit} <> 0) AS b${e.bit}`).join(", ")} FROM per`;
  const rows = await Promise.all(
    databases.all.map((db) => db.prepare(sql).bind(app, range.from, range.to).first<Record<string, number | null>>()),
  );
  const counts: Counts = { active: 0, byBit: new Map() };
  for (const row of rows) {
    counts.active += row?.active ?? 0;
    for (const { bit } of events) counts.byBit.set(bit, (counts.byBit.get(bit) ?? 0) + (row?.[`b${bit}`] ?? 0));
  }
  return counts;
}

async function estimatedCounts(
  databases: EventDatabases,
  app: string,
  range: Range,
  events: { bit: number }[],
): Promise<Counts> {
  const keys = new Map(events.map((e) => [String(e.bit), e.bit]));
  const sketches = new Map<number, Sketch>(); // -1: every active install
  const sketchOf = (bit: number) => Sketch.of(sketches, bit);
  for (const db of databases.all) {
    const [history, recent] = await db.batch([
      db
        .prepare(
          `SELECT dimension, value, sketch FROM install_history
           WHERE app = ?1 AND day BETWEEN ?2 AND ?3 AND (dimension = '' OR dimension = 'feature')`,
        )
        .bind(app, range.from, range.to),
      db
        .prepare("SELECT distinct_id, features FROM daily_active_installs WHERE app = ?1 AND day BETWEEN ?2 AND ?3")
        .bind(app, range.from, range.to),
    ]);
    for (const row of (history?.results ?? []) as { dimension: string; value: string; sketch: ArrayBuffer }[]) {
      const bit = row.dimension === "" ? -1 : keys.get(row.value);
      if (bit !== undefined) sketchOf(bit).merge(Sketch.decode(new Uint8Array(row.sketch)));
    }
    for (const row of (recent?.results ?? []) as { distinct_id: string; features: number }[]) {
      sketchOf(-1).add(row.distinct_id);
      for (const { bit } of events)
        if (Math.floor(row.features / 2 ** bit) % 2 === 1) sketchOf(bit).add(row.distinct_id);
    }
  }
  const byBit = new Map(events.map(({ bit }) => [bit, sketches.get(bit)?.estimate() ?? 0]));
  return { active: sketches.get(-1)?.estimate() ?? 0, byBit };
}
