import { featuresOf } from "../catalog/feature-bits";
import { toHex } from "../lib/bytes";
import { Sketch } from "../lib/hyperloglog";
import { jsonArrayChunks } from "../lib/json-chunks";

/**
 * Folds the per-install rows of days past EXACT_INSTALL_DAYS into `install_history`: per app
 * and day, the exact number of active installs (overall and per app version, OS and country)
 * and a HyperLogLog sketch of each, from which distinct installs over ranges are estimated
 * (src/stats/). A 100,000-install day goes from about 18 MB of rows to about 150 KB.
 *
 * Each app-day is folded in one transaction that writes its history rows and deletes exactly
 * the rows it read, so a row added meanwhile (an old message re-driven from the dead letters)
 * is folded by the next run, its install merged into the day's sketches.
 */

/**
 * The dimensions an install's day is counted under ('' is every install; 'feature' by each bit
 * of its features, the value the bit's number: catalog/feature-bits.ts).
 */
export const HISTORY_DIMENSIONS = ["", "app_version", "os", "country", "feature"] as const;
type Dimension = (typeof HISTORY_DIMENSIONS)[number];

/** Rows read per query while folding a day. */
const PAGE = 5_000;

// The apps with per-install rows, found by seeking from one to the next (no scan).
const APPS = `
WITH RECURSIVE apps(app) AS (
  SELECT MIN(app) FROM daily_active_installs
  UNION ALL SELECT (SELECT MIN(app) FROM daily_active_installs WHERE app > apps.app) FROM apps WHERE app IS NOT NULL)
SELECT app FROM apps WHERE app IS NOT NULL`;
const OLDEST_DAY = "SELECT MIN(day) AS day FROM daily_active_installs WHERE app = ?1";
const ROWS = `SELECT distinct_id, app_version, os, country, features FROM daily_active_installs
  WHERE app = ?1 AND day = ?2 AND distinct_id > ?3 ORDER BY distinct_id LIMIT ?4`;
const HISTORY = "SELECT dimension, value, installs, sketch FROM install_history WHERE app = ?1 AND day = ?2";
const WRITE_HISTORY = `
INSERT OR REPLACE INTO install_history (app, day, dimension, value, installs, sketch)
SELECT ?1, ?2, r.value->>0, r.value->>1, r.value->>2, unhex(r.value->>3) FROM json_each(?3) AS r`;
const DELETE_ROWS = `DELETE FROM daily_active_installs
  WHERE app = ?1 AND day = ?2 AND distinct_id IN (SELECT value FROM json_each(?3))`;

interface Cell {
  installs: number;
  sketch: Sketch;
}

/** Folds the app-days older than `horizonDay`, oldest first, at most `limit` of them. */
export async function foldInstallDays(db: D1Database, horizonDay: string, limit = 20): Promise<number> {
  const apps = (await db.prepare(APPS).all<{ app: string }>()).results.map((row) => row.app);
  let folded = 0;
  for (const app of apps) {
    while (folded < limit) {
      const day = (await db.prepare(OLDEST_DAY).bind(app).first<{ day: string | null }>())?.day;
      if (!day || day >= horizonDay) break;
      await foldDay(db, app, day);
      folded++;
    }
  }
  return folded;
}

async function foldDay(db: D1Database, app: string, day: string): Promise<void> {
  const cells = new Map<string, Cell>();
  const cellOf = (dimension: Dimension, value: string): Cell => {
    const key = `${dimension}\u0000${value}`;
    let cell = cells.get(key);
    if (!cell) {
      cell = { installs: 0, sketch: new Sketch() };
      cells.set(key, cell);
    }
    return cell;
  };
  const history = await db.prepare(HISTORY).bind(app, day).all<{
    dimension: Dimension;
    value: string;
    installs: number;
    sketch: ArrayBuffer;
  }>();
  for (const row of history.results) {
    const cell = cellOf(row.dimension, row.value);
    cell.installs = row.installs;
    cell.sketch = Sketch.decode(new Uint8Array(row.sketch));
  }

  const ids: string[] = [];
  let after = "";
  for (;;) {
    const page = await db
      .prepare(ROWS)
      .bind(app, day, after, PAGE)
      .all<{ distinct_id: string; app_version: string; os: string; country: string; features: number }>();
    for (const row of page.results) {
      ids.push(row.distinct_id);
      for (const [dimension, value] of [
        ["", ""],
        ["app_version", row.app_version],
        ["os", row.os],
        ["country", row.country],
      ] as const) {
        const cell = cellOf(dimension, value);
        cell.installs++;
        cell.sketch.add(row.distinct_id);
      }
      for (const key of featureKeysOf(app, row)) {
        const cell = cellOf("feature", key);
        cell.installs++;
        cell.sketch.add(row.distinct_id);
      }
    }
    if (page.results.length < PAGE) break;
    after = ids[ids.length - 1] as string;
  }

  const historyRows = [...cells].map(([key, cell]) => {
    const [dimension, value] = key.split("\u0000");
    return JSON.stringify([dimension, value, cell.installs, toHex(cell.sketch.encode())]);
  });
  if (historyRows.length === 0) return;
  await db.batch([
    ...jsonArrayChunks(historyRows).map((chunk) => db.prepare(WRITE_HISTORY).bind(app, day, chunk.json)),
    ...jsonArrayChunks(ids.map((id) => JSON.stringify(id))).map((chunk) =>
      db.prepare(DELETE_ROWS).bind(app, day, chunk.json),
    ),
  ]);
}

/**
 * The 'feature' values an install-day is folded under: each bit of its features (`17`), and
 * for each event bit the install's version and OS that day (`17@app_version=18.0.1`,
 * `17@os=linux`), so that a breakdown of an event by version or OS can be estimated too.
 */
export function featureKeysOf(app: string, row: { features: number; app_version: string; os: string }): string[] {
  const eventBits = eventBitsOf(app);
  const keys: string[] = [];
  for (const bit of bitsOf(row.features)) {
    keys.push(String(bit));
    if (eventBits.has(bit)) keys.push(`${bit}@app_version=${row.app_version}`, `${bit}@os=${row.os}`);
  }
  return keys;
}

const eventBitsOf = (app: string) => new Set([...(featuresOf(app)?.events.values() ?? [])].map((event) => event.bit));

/** The numbers of the bits set in a features integer (bits 0–62). */
export function bitsOf(features: number | bigint): number[] {
  const bits: number[] = [];
  let rest = BigInt(features);
  for (let bit = 0; rest > 0n; bit++, rest >>= 1n) if (rest & 1n) bits.push(bit);
  return bits;
}
