import { ApiError } from "../http/errors";
import type { EventDatabases } from "../lib/event-databases";
import { Sketch } from "../lib/hyperloglog";
import { publishCells } from "../lib/small-groups";
import { UNKNOWN } from "../stats/breakdown";
import { reachesHistory } from "../stats/installs";
import { readSketches } from "./breakdown-sketches";
import { type BreakdownSource, breakdownSourceOf, eventBitOf, featuresOr } from "./catalogue";
import { periodOf, periodStart, type Range } from "./range";

/**
 * Events and distinct installs of one event per value of one of its properties (an enum or
 * bool property, or the app's version or OS), largest first, small values merged into
 * `(other)` by the small-group rule. Events are counted per value exactly, whatever the day
 * (`daily_property_counts`, `daily_event_counts`); installs from the install-day rows' feature
 * bits (exact) or, once the range reaches days older than EXACT_INSTALL_DAYS, from the folded
 * sketches (`exact: false`). An install that sent two values counts under each, once in the
 * total and once in `(other)`. The total counts every event of the event and every install that
 * sent it, with the property or without (an optional one). Events per value are kept by OS, not
 * by version: with a version filter, a value's events are `null` (its installs and the total's
 * events are still filtered). The OS and version filters select events by their own values and
 * installs by the values of their day's first event.
 */

export interface BreakdownQuery {
  app: string;
  event: string;
  property: string;
  range: Range;
  /** Days per period of the series, or the whole range. */
  periodDays: number;
  os?: string | undefined;
  appVersion?: string | undefined;
}

export interface ValueCell {
  value: string;
  /** null: not kept for the version filter asked for. */
  events: number | null;
  installs: number;
}

export interface BreakdownPeriod {
  start: string;
  values: ValueCell[];
  /** The period's events and distinct installs; `"< k"` (and no events) when too few installs sent it. */
  total: { events: number | null; installs: number | string };
}

export interface InsightBreakdown {
  periods: BreakdownPeriod[];
  exact: boolean;
}

/** Per period: events per value, and the installs of each combination of values (key: the values joined by \n). */
interface Counts {
  events: Map<number, Map<string, number>>;
  /** Per period, every event of the event (those without the property too), under ''. */
  totals: Map<number, Map<string, number>>;
  installs: Map<number, Map<string, number>>;
  /** Estimated: per period, a sketch per value and for the total (''). */
  sketches?: Map<number, Map<string, Sketch>>;
}

export async function readInsightBreakdown(
  databases: EventDatabases,
  query: BreakdownQuery,
  minInstalls: number,
): Promise<InsightBreakdown> {
  const source = breakdownSourceOf(query.app, query.event, query.property);
  const exact = !(await reachesHistory(databases, query.app, query.range.from, query.range.to));
  if (!exact && (query.os !== undefined || query.appVersion !== undefined)) {
    throw new ApiError(
      "invalid_query",
      "installs by OS or version are kept per install-day for EXACT_INSTALL_DAYS days only: filter a more recent range",
    );
  }
  const counts: Counts = { events: new Map(), totals: new Map(), installs: new Map() };
  if (!exact) counts.sketches = new Map();
  await Promise.all(databases.all.map((db) => readDatabase(db, query, source, counts)));

  const periodCount = Math.ceil(query.range.days / query.periodDays);
  const periods: BreakdownPeriod[] = [];
  for (let n = 0; n < periodCount; n++) {
    const events = counts.events.get(n) ?? new Map<string, number>();
    const combos = counts.installs.get(n) ?? new Map<string, number>();
    const sketches = counts.sketches?.get(n);
    const values = new Set([...events.keys()]);
    for (const combo of combos.keys()) for (const value of combo.split("\n")) if (value) values.add(value);
    for (const key of sketches?.keys() ?? []) if (key) values.add(key);
    const union = (merged: readonly { value: string }[]): number => {
      const names = new Set(merged.map((cell) => cell.value));
      if (sketches) {
        const sketch = new Sketch();
        for (const name of names) {
          const part = sketches.get(name);
          if (part) sketch.merge(part);
        }
        return sketch.estimate();
      }
      let n = 0;
      for (const [combo, installs] of combos) if (combo.split("\n").some((v) => names.has(v))) n += installs;
      return n;
    };
    const cells = [...values].map((value) => ({
      value,
      events: events.get(value) ?? 0,
      installs: union([{ value }]),
    }));
    const totalInstalls = sketches
      ? (sketches.get("")?.estimate() ?? 0)
      : [...combos.values()].reduce((a, b) => a + b, 0);
    const totalEvents = counts.totals.get(n)?.get("") ?? 0;
    const start = periodStart(query.range, query.periodDays, n);
    if (totalInstalls < minInstalls) {
      periods.push({
        start,
        values: [],
        total:
          totalInstalls === 0 ? { events: totalEvents, installs: 0 } : { events: null, installs: `< ${minInstalls}` },
      });
      continue;
    }
    const unkept = source.kind === "values" && query.appVersion !== undefined;
    const published = (publishCells(cells, minInstalls, union) as ValueCell[]).map((cell) =>
      unkept ? { ...cell, events: null } : cell,
    );
    periods.push({ start, values: published, total: { events: totalEvents, installs: totalInstalls } });
  }
  return { periods, exact };
}

async function readDatabase(db: D1Database, query: BreakdownQuery, source: BreakdownSource, counts: Counts) {
  const eventBit = eventBitOf(query.app, query.event);
  const period = periodOf("?2", "?4");
  const filters = "AND (?5 IS NULL OR os = ?5) AND (?6 IS NULL OR app_version = ?6)";
  const params = [
    query.app,
    query.range.from,
    query.range.to,
    query.periodDays,
    query.os ?? null,
    query.appVersion ?? null,
    query.event,
  ];
  const column = source.kind === "dimension" ? knownOr(source.column) : "";
  const eventsSql =
    source.kind === "values"
      ? `SELECT ${period} AS period, value, SUM(count) AS n FROM daily_property_counts
         WHERE app = ?1 AND day BETWEEN ?2 AND ?3 AND event = ?7 AND property = ?8
           AND (?5 IS NULL OR os = ?5) AND ?6 IS NULL GROUP BY period, value`
      : `SELECT ${period} AS period, ${column} AS value, SUM(count) AS n FROM daily_event_counts
         WHERE app = ?1 AND day BETWEEN ?2 AND ?3 AND event = ?7 AND ?8 IS NOT NULL ${filters} GROUP BY period, value`;
  const combo =
    source.kind === "values" ? featuresOr(source.values.map((v) => v.bit)) : `group_concat(DISTINCT ${column})`;
  const installsSql = `WITH per AS (
    SELECT ${period} AS period, ${combo} AS combo FROM daily_active_installs
    WHERE app = ?1 AND day BETWEEN ?2 AND ?3 AND features & ${2 ** eventBit} <> 0 ${filters} AND ?7 IS NOT NULL
    GROUP BY period, distinct_id)
  SELECT period, combo, COUNT(*) AS n FROM per GROUP BY period, combo`;
  const totalSql = `SELECT ${period} AS period, '' AS value, SUM(count) AS n FROM daily_event_counts
    WHERE app = ?1 AND day BETWEEN ?2 AND ?3 AND event = ?7 ${filters} GROUP BY period`;
  const [events, installs, totals] = await db.batch([
    db.prepare(eventsSql).bind(...params, query.property),
    db.prepare(installsSql).bind(...params),
    db.prepare(totalSql).bind(...params),
  ]);
  for (const row of (totals?.results ?? []) as { period: number; n: number }[])
    add(counts.totals, row.period, "", row.n);
  for (const row of (events?.results ?? []) as { period: number; value: string; n: number }[]) {
    add(counts.events, row.period, row.value, row.n);
  }
  if (counts.sketches) {
    await readSketches(db, query, source, eventBit, counts.sketches);
    return;
  }
  for (const row of (installs?.results ?? []) as { period: number; combo: number | string; n: number }[]) {
    add(counts.installs, row.period, comboKey(source, row.combo), row.n);
  }
}

/** A combination of values as a key: the values sorted, joined by a line break. */
function comboKey(source: BreakdownSource, combo: number | string): string {
  if (source.kind === "dimension") return String(combo).split(",").sort().join("\n");
  return source.values
    .filter((v) => Math.floor(Number(combo) / 2 ** v.bit) % 2 === 1)
    .map((v) => v.value)
    .join("\n");
}

function add(map: Map<number, Map<string, number>>, period: number, key: string, n: number) {
  let inner = map.get(period);
  if (!inner) {
    inner = new Map();
    map.set(period, inner);
  }
  inner.set(key, (inner.get(key) ?? 0) + n);
}

/** SQL: a dimension's value, `(unknown)` where it was not sent (as the stats breakdown names it). */
const knownOr = (column: string) => `CASE WHEN ${column} = '' THEN '${UNKNOWN}' ELSE ${column} END`;
