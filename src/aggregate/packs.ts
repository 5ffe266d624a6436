import { DAY_MS } from "../lib/time";

/**
 * The dedupe index, packed: D1 bills every row written ($1 per million, an index entry one
 * more), and a row per event was almost the whole bill. A client batch comes from one install,
 * so the uuids a delivery adds are stored per install and day instead: one row (`event_packs`)
 * holds up to PACK_UUIDS uuids of one install whose dedupe second falls on one UTC day, with
 * the first and last of those seconds. An event is stored already when a pack of its install
 * and day spans its second and holds its 16 bytes (`instr` over the pack; the bytes of two
 * neighbouring uuids cannot spell a third, except by a choice of uuids that only that install's
 * own client could make, which would only drop its own events).
 *
 * The cost of a lookup stays small whatever the table's size: the index is ordered by day,
 * install and last second, so a lookup reads the packs of one install and day that end at or
 * after the event's second (for an event of the last minutes, the last pack or two). The "all
 * new" way asks per planned pack whether any stored pack of the same install and day overlaps
 * its span at all: almost never, so a delivery costs a lookup per pack, not per event, and
 * binds its packs, not its events. Rows of the index of single keys (`event_uuids`) from before packs are
 * looked up too while any are left; the retention job empties it within the dedupe window.
 */

/** Uuids per pack: 16 bytes each, the row under SQLite's 4 KiB page (no overflow page). */
export const PACK_UUIDS = 240;

const SECONDS_PER_DAY = DAY_MS / 1000;

/** `[at_day, install, first_at, last_at, [uuid in its 36-character form, …]]`: one pack as the plan sends it. */
export type PackRow = [number, number, number, number, string[]];

/** Gathers a shard's events into packs, per install and day of their dedupe second. */
export class PackBuilder {
  readonly rows: PackRow[] = [];
  private readonly open = new Map<string, { row: PackRow; uuids: number }>();
  /** The pack the last event went to: the next one (a message is one install's) most often goes there too. */
  private last: { day: number; install: number; pack: { row: PackRow; uuids: number } } | undefined;

  add(install: number, at: number, uuid: string): void {
    const day = Math.floor(at / SECONDS_PER_DAY);
    let pack =
      this.last !== undefined && this.last.day === day && this.last.install === install ? this.last.pack : undefined;
    if (!pack) {
      pack = this.open.get(`${day}:${install}`);
      if (pack) this.last = { day, install, pack };
    }
    if (!pack || pack.uuids === PACK_UUIDS) {
      pack = { row: [day, install, at, at, []], uuids: 0 };
      this.open.set(`${day}:${install}`, pack);
      this.rows.push(pack.row);
      this.last = { day, install, pack };
    }
    const row = pack.row;
    if (at < row[2]) row[2] = at;
    if (at > row[3]) row[3] = at;
    row[4].push(uuid);
    pack.uuids++;
  }
}

/** Whether event row `r` (`[uuid, at, group, install]`, installs in ?3) is in a pack already. */
export const inPacks = (r: string) => `EXISTS (SELECT 1 FROM event_packs AS p
  WHERE p.at_day = (${r}.value->>1) / ${SECONDS_PER_DAY} AND p.distinct_id = ?3 ->> (${r}.value->>3)
    AND p.last_at >= ${r}.value->>1 AND p.first_at <= ${r}.value->>1
    AND instr(p.uuids, unhex(${r}.value->>0, '-')) > 0)`;

/** Whether event row `r` is in the index of single keys from before packs (looked up only while it has rows). */
export const inSingleKeys = (r: string) => `((SELECT 1 FROM event_uuids LIMIT 1) IS NOT NULL
  AND EXISTS (SELECT 1 FROM event_uuids WHERE at = ${r}.value->>1 AND uuid = unhex(${r}.value->>0, '-')))`;

/**
 * The planned packs (?1, PackRow) of installs in ?3, each checked on its way in: when a stored
 * pack of its install and day overlaps its span (almost never), a uuid of it found there fails
 * the statement (a bad JSON path, SQLite's error for it, carrying `stored`). No event row is
 * bound or looked up otherwise.
 */
export const insertPlannedPacks = (stored: string) => `
INSERT INTO event_packs (at_day, distinct_id, first_at, last_at, uuids)
SELECT k.value->>0, ?3 ->> (k.value->>1), k.value->>2, k.value->>3,
  CASE WHEN EXISTS (SELECT 1 FROM event_packs AS p
      WHERE p.at_day = k.value->>0 AND p.distinct_id = ?3 ->> (k.value->>1)
        AND p.last_at >= k.value->>2 AND p.first_at <= k.value->>3
        AND EXISTS (SELECT 1 FROM json_each(k.value, '$[4]') AS u WHERE instr(p.uuids, unhex(u.value, '-')) > 0))
    THEN json_extract('{}', '${stored}')
    ELSE (SELECT unhex(group_concat(u.value, ''), '-') FROM json_each(k.value, '$[4]') AS u) END
FROM json_each(?1) AS k`;

/** Packs of the events of ?1 that `isNew` admits, per install and day, PACK_UUIDS at most; returns the uuids of each. */
export const insertNewPacks = (isNew: string) => `
INSERT INTO event_packs (at_day, distinct_id, first_at, last_at, uuids)
SELECT day, ?3 ->> install, min(at), max(at), unhex(group_concat(hex, '')) FROM (
  SELECT (r.value->>1) / ${SECONDS_PER_DAY} AS day, r.value->>3 AS install, r.value->>1 AS at,
         replace(r.value->>0, '-', '') AS hex,
         (row_number() OVER (PARTITION BY (r.value->>1) / ${SECONDS_PER_DAY}, r.value->>3) - 1) / ${PACK_UUIDS} AS part
  FROM json_each(?1) AS r WHERE ${isNew})
WHERE true GROUP BY day, install, part
RETURNING length(uuids) / 16 AS uuids`;

/** Whether an event (its install, dedupe second and uuid) is stored in this database. */
export async function isStored(db: D1Database, install: string, at: number, uuid: string): Promise<boolean> {
  const row = await db
    .prepare(
      `SELECT 1 FROM json_each(?1) AS r WHERE ${inPacks("r")}
       UNION ALL SELECT 1 FROM json_each(?1) AS r WHERE ${inSingleKeys("r")}`,
    )
    .bind(JSON.stringify([[uuid, at, 0, 0]]), null, JSON.stringify([install]))
    .first();
  return row !== null;
}
