import { Sketch } from "../lib/hyperloglog";
import { UNKNOWN } from "../stats/breakdown";
import type { BreakdownSource } from "./catalogue";
import { periodOf, type Range } from "./range";

/**
 * A breakdown's installs once its range reaches folded days (older than EXACT_INSTALL_DAYS):
 * estimated from the folded days' feature sketches (`install_history`, dimension `feature`)
 * merged with sketches of the recent install-day rows, per period and value (breakdown.ts
 * reports them with `exact: false`).
 */

/** Estimated installs: the folded days' feature sketches and the recent rows, per period and value. */
export async function readSketches(
  db: D1Database,
  query: { app: string; range: Range; periodDays: number },
  source: BreakdownSource,
  eventBit: number,
  sketches: Map<number, Map<string, Sketch>>,
) {
  const keys = new Map<string, string>([[String(eventBit), ""]]);
  if (source.kind === "values") for (const v of source.values) keys.set(String(v.bit), v.value);
  const period = periodOf("?2", "?4");
  const [history, recent] = await db.batch([
    db
      .prepare(
        `SELECT ${period} AS period, value, sketch FROM install_history
         WHERE app = ?1 AND day BETWEEN ?2 AND ?3 AND dimension = 'feature'`,
      )
      .bind(query.app, query.range.from, query.range.to, query.periodDays),
    db
      .prepare(
        `SELECT ${period} AS period, distinct_id, features, app_version, os FROM daily_active_installs
         WHERE app = ?1 AND day BETWEEN ?2 AND ?3 AND features & ${2 ** eventBit} <> 0`,
      )
      .bind(query.app, query.range.from, query.range.to, query.periodDays),
  ]);
  const sketchOf = (n: number, key: string) => {
    let inner = sketches.get(n);
    if (!inner) {
      inner = new Map();
      sketches.set(n, inner);
    }
    return Sketch.of(inner, key);
  };
  const dimensionPrefix = source.kind === "dimension" ? `${eventBit}@${source.column}=` : null;
  for (const row of (history?.results ?? []) as { period: number; value: string; sketch: ArrayBuffer }[]) {
    const key =
      dimensionPrefix && row.value.startsWith(dimensionPrefix)
        ? row.value.slice(dimensionPrefix.length) || UNKNOWN
        : keys.get(row.value);
    if (key === undefined) continue;
    sketchOf(row.period, key).merge(Sketch.decode(new Uint8Array(row.sketch)));
  }
  type Recent = { period: number; distinct_id: string; features: number; app_version: string; os: string };
  for (const row of (recent?.results ?? []) as Recent[]) {
    sketchOf(row.period, "").add(row.distinct_id);
    if (source.kind === "dimension") sketchOf(row.period, row[source.column] || UNKNOWN).add(row.distinct_id);
    else
      for (const v of source.values) {
        if (Math.floor(row.features / 2 ** v.bit) % 2 === 1) sketchOf(row.period, v.value).add(row.distinct_id);
      }
  }
}
