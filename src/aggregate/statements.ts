import { jsonArrayChunks } from "../lib/json-chunks";
import { OTHER } from "../lib/other";
import { VERSIONS_PER_APP_DAY } from "./count-groups";
import { counterStatements } from "./counter-statements";
import { featuresOfRow } from "./insight-rows";
import { propertyCountStatements } from "./insight-statements";
import { inPacks, inSingleKeys, insertNewPacks, insertPlannedPacks } from "./packs";
import { type Counters, DROPPED_NAMES_PER_APP_DAY, type ShardPlan } from "./plan";

export { DROPPED_NAMES_PER_APP_DAY, VERSIONS_PER_APP_DAY };

/**
 * The SQL that stores one delivery in one event database, as a single `db.batch()` (one D1
 * transaction). Rows are bound as JSON arrays and expanded with json_each; events are short
 * rows `[uuid, at, group, install]` (plan.ts), so each statement reads only what it needs.
 * D1 bills rows written: every statement here writes per install, per day or per group, and
 * the dedupe index is packed (packs.ts): a 100-event batch of one install writes one row.
 *
 * Exactly once, in one of two ways (`storeShard`):
 * - "all new" (first, and almost always enough): a guard checks that no event of the delivery
 *   is stored (per planned pack, whether a stored pack of its install and day overlaps its
 *   span; only then its events one by one), no install was forgotten and no raw row predates
 *   the index; then the planned packs and the counts the plan made in code are added. If the
 *   guard finds otherwise it fails, and the whole transaction with it: nothing of it is stored.
 * - "checked" (then): the counts take only the events that are in no pack yet, then those
 *   events are packed, in the same transaction. Two passes.
 * Either way a redelivered message or a client's resend adds nothing. Per-request counters are
 * gated on the message's batch id. Nothing is counted or stored under an install forgotten by
 * POST /v1/forget (src/forget/).
 *
 * Client-chosen strings that become aggregate keys are capped per app and day: at most
 * VERSIONS_PER_APP_DAY `app_version` values and DROPPED_NAMES_PER_APP_DAY undeclared property
 * names are kept; the rest count as `(other)`. A statement sees the table as it was before it
 * ran, so one delivery may add up to one cap's worth of new values past it (the plan keeps a
 * delivery's new values under the cap): a day holds fewer than twice the cap per database.
 */

// The versions an app may still use as a dimension on a day: added while the day has room.
const RECORD_VERSIONS = `
INSERT OR IGNORE INTO daily_versions (app, day, app_version)
SELECT r.value->>'a', r.value->>'day', r.value->>'v' FROM json_each(?1) AS r
WHERE (SELECT COUNT(*) FROM daily_versions AS k WHERE k.app = r.value->>'a' AND k.day = r.value->>'day') < ${VERSIONS_PER_APP_DAY}`;

// A version if its app-day has room for it (RECORD_VERSIONS), else (other); `x` is a row
// whose items 0, 1 and `at` are the app, the day and the version.
const capped = (at: number) => `CASE WHEN EXISTS (SELECT 1 FROM daily_versions AS k
  WHERE k.app = x.value->>0 AND k.day = x.value->>1 AND k.app_version = x.value->>${at})
  THEN x.value->>${at} ELSE '${OTHER}' END`;

// The installs of ?3 (by index) that are forgotten: one lookup per install, not per event.
const FORGOTTEN_INDEXES = `SELECT i.key FROM json_each(?3) AS i
  WHERE EXISTS (SELECT 1 FROM forgotten_installs WHERE distinct_id = i.value)`;

// Events whose uuid is new: in no pack of their install (packs.ts), nor among the single keys
// from before packs, nor among the raw rows of the debugging window or of the days before raw
// events moved to R2 (looked up only while there are any: an empty table's lookup still cost a
// third of the statement), and not of a forgotten install.
const NEW_EVENTS = `
  NOT ${inPacks("r")} AND NOT ${inSingleKeys("r")}
  AND ((SELECT 1 FROM events LIMIT 1) IS NULL OR NOT EXISTS (SELECT 1 FROM events WHERE uuid = r.value->>0))
  AND r.value->>3 NOT IN (${FORGOTTEN_INDEXES})`;

const COUNT_NEW_EVENTS = `
INSERT INTO daily_event_counts (app, day, event, app_version, os, count)
SELECT x.value->>0, x.value->>1, x.value->>2, ${capped(3)}, x.value->>4, c.n
FROM (SELECT r.value->>2 AS grp, count(*) AS n FROM json_each(?1) AS r WHERE ${NEW_EVENTS} GROUP BY grp) AS c
JOIN json_each(?2) AS x ON x.key = c.grp
WHERE true
ON CONFLICT (app, day, event, app_version, os) DO UPDATE SET count = count + excluded.count`;

const RECORD_NEW_PACKS = insertNewPacks(NEW_EVENTS);

// The "all new" way's guards: they fail (a bad JSON path, SQLite's error for it, carrying this
// text) if an install of ?3 is forgotten or a raw row exists to look up; if an event of ?1 is
// among the single keys from before packs (bound only while this isolate has not seen that
// table empty); and, as each planned pack goes in, if a uuid of it is stored already.
export const STORED_BEFORE = "edgehog: a delivery event is stored already";
const ALL_NEW = `SELECT CASE WHEN (SELECT 1 FROM events LIMIT 1) IS NULL AND NOT EXISTS (${FORGOTTEN_INDEXES})
  THEN 1 ELSE json_extract('{}', '${STORED_BEFORE}') END`;
const NONE_IN_SINGLE_KEYS = `SELECT CASE WHEN NOT EXISTS (SELECT 1 FROM json_each(?1) AS r WHERE ${inSingleKeys("r")})
  THEN (SELECT 1 FROM event_uuids LIMIT 1) IS NULL ELSE json_extract('{}', '${STORED_BEFORE}') END AS empty`;
const INSERT_PACKS = insertPlannedPacks(STORED_BEFORE);

/**
 * When this isolate last saw each database's single keys from before packs empty: until then,
 * and again every SINGLE_KEYS_RECHECK_MS, a delivery's events are bound to be looked up among
 * them. Nothing writes that table any more, so once empty it stays so (the recheck covers
 * isolates of a version from before packs, which may still run for a while during a deploy).
 */
const singleKeysSeenEmptyAt = new WeakMap<D1Database, number>();
const SINGLE_KEYS_RECHECK_MS = 10 * 60_000;

const COUNT_PLANNED = `
INSERT INTO daily_event_counts (app, day, event, app_version, os, count)
SELECT x.value->>0, x.value->>1, x.value->>2, ${capped(3)}, x.value->>4, x.value->>5
FROM json_each(?1) AS x
WHERE true
ON CONFLICT (app, day, event, app_version, os) DO UPDATE SET count = count + excluded.count`;

const PROPERTY_COUNTS = propertyCountStatements(NEW_EVENTS);

// With the install's dimensions as first seen that day (its version capped as in the event
// counts): the key is (app, day, distinct_id), so a later event of the same install that day
// (another version, a resend) keeps the first. The days its events arrived on (the archive's
// partitions, which a forget rewrites) are widened only when a delivery arrived outside them:
// a row that holds them already is not written again. Rows from before arrival days were
// recorded (NULL) keep the span a forget assumes for them.
const RECORD_ACTIVE_INSTALLS = `
INSERT INTO daily_active_installs
  (app, day, distinct_id, app_version, os, country, first_received, last_received, features)
SELECT x.value->>0, x.value->>1, x.value->>2, ${capped(3)}, x.value->>4, x.value->>5, x.value->>6, x.value->>7,
  ${featuresOfRow(8)}
FROM json_each(?1) AS x
WHERE NOT EXISTS (SELECT 1 FROM forgotten_installs WHERE distinct_id = x.value->>2)
ON CONFLICT (app, day, distinct_id) DO UPDATE SET
  first_received = min(first_received, excluded.first_received),
  last_received = max(last_received, excluded.last_received),
  features = features | excluded.features
WHERE (first_received IS NOT NULL
  AND (excluded.first_received < first_received OR excluded.last_received > last_received))
  OR (features | excluded.features) <> features`;

const INSERT_RAW_EVENTS = `
INSERT OR IGNORE INTO events
  (uuid, app, event, distinct_id, timestamp, received_at, day, app_version, os, country, tenant_id, properties)
SELECT r.value->>'u', r.value->>'a', r.value->>'e', r.value->>'d', r.value->>'t', r.value->>'r',
       r.value->>'day', r.value->>'v', r.value->>'o', r.value->>'c', r.value->>'tn', r.value->>'p'
FROM json_each(?1) AS r WHERE NOT EXISTS (SELECT 1 FROM forgotten_installs WHERE distinct_id = r.value->>'d')`;

// Last: which installs of the delivery are forgotten, as the transaction saw them, so the
// archive leaves their events out too.
const FORGOTTEN_OF_DELIVERY = `
SELECT i.value AS distinct_id FROM json_each(?1) AS i
WHERE EXISTS (SELECT 1 FROM forgotten_installs WHERE distinct_id = i.value)`;

/**
 * Whether the last delivery this isolate stored needed the checked way: a stream of resent
 * events (a client retrying, a redelivery) then goes the checked way at once instead of failing
 * the "all new" way first each time. A hint for speed only: either way counts exactly once.
 */
let lastHeldStoredEvents = false;

/**
 * Stores a shard's part of a delivery (and, for the first database, the per-request counters)
 * the "all new" way, or the "checked" way when that fails (its guard: some event is stored
 * already).
 * Its last result's rows are the delivery's forgotten installs (`forgottenOf`).
 */
export async function storeShard(
  db: D1Database,
  shard: ShardPlan,
  counters: Counters | null,
  now: number,
): Promise<D1Result[]> {
  if (!lastHeldStoredEvents) {
    try {
      const { statements, singleKeysAt } = shardStatements(db, shard, counters, now, "all new");
      const results = await db.batch(statements);
      const probe = singleKeysAt.map((i) => (results[i]?.results[0] as { empty?: number } | undefined)?.empty);
      if (probe.length > 0 && probe.every((empty) => empty === 1)) singleKeysSeenEmptyAt.set(db, Date.now());
      return results;
    } catch (err) {
      // Whatever failed, the checked way is right next: it adds only what is not stored yet
      // (packs and counts commit together), and a failure that was not the guard's (D1
      // unreachable) meets it in turn and is retried.
      if (!(err instanceof Error && err.message.includes(STORED_BEFORE))) {
        console.error("storing a delivery the all-new way failed; trying the checked way", err);
      }
    }
  }
  const { statements, packsAt } = shardStatements(db, shard, counters, now, "checked");
  const results = await db.batch(statements);
  let added = 0;
  for (const i of packsAt) for (const row of (results[i]?.results ?? []) as { uuids: number }[]) added += row.uuids;
  lastHeldStoredEvents = added < shard.events.length;
  return results;
}

export function shardStatements(
  db: D1Database,
  shard: ShardPlan,
  counters: Counters | null,
  now: number,
  way: "all new" | "checked",
): { statements: D1PreparedStatement[]; packsAt: number[]; singleKeysAt: number[] } {
  const statements: D1PreparedStatement[] = [];
  const packsAt: number[] = []; // where the checked way's packs are written (each returns its uuids)
  const singleKeysAt: number[] = []; // where the all-new way looks its events up among the single keys
  const installs = JSON.stringify(shard.installs);
  if (shard.versions.length > 0) statements.push(db.prepare(RECORD_VERSIONS).bind(JSON.stringify(shard.versions)));
  if (way === "all new") {
    statements.push(db.prepare(ALL_NEW).bind(null, null, installs));
    if (Date.now() - (singleKeysSeenEmptyAt.get(db) ?? Number.NEGATIVE_INFINITY) > SINGLE_KEYS_RECHECK_MS) {
      for (const chunk of jsonArrayChunks(shard.events.json())) {
        singleKeysAt.push(statements.length);
        statements.push(db.prepare(NONE_IN_SINGLE_KEYS).bind(chunk.json));
      }
    }
    for (const chunk of jsonArrayChunks(shard.packs.map((pack) => JSON.stringify(pack)))) {
      statements.push(db.prepare(INSERT_PACKS).bind(chunk.json, null, installs));
    }
    if (shard.groups.length > 0) {
      const planned = shard.groups.map((group, i) => [...group, shard.groupCounts[i]]);
      statements.push(db.prepare(COUNT_PLANNED).bind(JSON.stringify(planned)));
      statements.push(...PROPERTY_COUNTS.planned(db, shard.insights));
    }
  } else {
    const groups = JSON.stringify(shard.groups);
    for (const chunk of jsonArrayChunks(shard.events.json())) {
      packsAt.push(statements.length + 1 + (shard.insights.propertyGroups.length > 0 ? 1 : 0));
      statements.push(
        db.prepare(COUNT_NEW_EVENTS).bind(chunk.json, groups, installs),
        ...PROPERTY_COUNTS.checked(db, shard.insights, chunk.json, installs),
        db.prepare(RECORD_NEW_PACKS).bind(chunk.json, null, installs),
      );
    }
  }
  for (const chunk of jsonArrayChunks(shard.installDays.map((row) => JSON.stringify(row)))) {
    statements.push(db.prepare(RECORD_ACTIVE_INSTALLS).bind(chunk.json));
  }
  for (const chunk of jsonArrayChunks(shard.rawEvents)) statements.push(db.prepare(INSERT_RAW_EVENTS).bind(chunk.json));
  if (counters) statements.push(...counterStatements(db, counters, now));
  statements.push(db.prepare(FORGOTTEN_OF_DELIVERY).bind(installs));
  return { statements, packsAt, singleKeysAt };
}

/** The forgotten installs reported by the last statement of `shardStatements`. */
export function forgottenOf(results: readonly D1Result[]): string[] {
  const rows = (results[results.length - 1]?.results ?? []) as { distinct_id: string }[];
  return rows.map((row) => row.distinct_id);
}
