import { z } from "zod";
import { murmur3 } from "./hash";
import { DAY_MS } from "./time";
import { varsReader } from "./vars";

/**
 * The D1 databases that hold events (wrangler.toml var `EVENT_DATABASES`: binding names, `DB`
 * first). One database holds the dedupe window of about 12 million events a day
 * (docs/SCALING.md); past that, events are spread over several databases by install:
 * everything of one install (its dedupe packs, the counts of its events, its active days) lives
 * in the database its id hashes to, so each database's transaction is exactly once on its own,
 * and installs never appear in two of them for one day (their counts simply add up).
 * Per-request counters (rejections, dropped properties) stay in the first one.
 *
 * A database can join a running deployment: `NAME@YYYY-MM-DD` takes part from that UTC day of
 * the events' dedupe time on. Events are placed by the databases of their own dedupe day, so
 * an event from before the day (a resend, a late client) still finds the packs where it was
 * first stored, and from the day on installs are spread over one more database. Tombstones are
 * in every database (POST /v1/forget writes each one; the hourly job copies earlier ones into a
 * database before its day comes, src/forget/purge.ts), so each transaction reads them.
 */
export interface EventDatabases {
  /** `DB`: per-request counters, and every table that is not about events. */
  primary: D1Database;
  /** Every event database, `DB` first; an install's shard for a day is `all[shardOf(id, day)]`. */
  all: readonly D1Database[];
  /** Their binding names, in the same order. */
  names: readonly string[];
  /** The UTC day (days since the epoch) each database takes part from (-Infinity: always). */
  since: readonly number[];
  /**
   * The database of an install's events whose dedupe second falls on `day` (days since the
   * epoch); without a day, the database it is placed in today.
   */
  shardOf(distinctId: string, day?: number): number;
}

const ENTRY = /^([A-Za-z_][A-Za-z0-9_]*)(?:@(\d{4}-\d{2}-\d{2}))?$/;

const entriesOf = varsReader(
  "event database",
  z
    .object({ EVENT_DATABASES: z.string().default("DB") })
    .transform((v) => v.EVENT_DATABASES.split(",").map((entry) => entry.trim()))
    .refine((entries) => entries.every((entry) => ENTRY.test(entry)), "EVENT_DATABASES lists NAME or NAME@YYYY-MM-DD")
    .transform((entries) =>
      entries.map((entry) => {
        const [, name, day] = ENTRY.exec(entry) as RegExpExecArray;
        return { name: name as string, since: day ? Math.floor(Date.parse(`${day}T00:00:00Z`) / DAY_MS) : -Infinity };
      }),
    )
    .refine(
      (entries) => entries[0]?.name === "DB" && entries[0].since === -Infinity,
      "EVENT_DATABASES must list DB first, without a day",
    )
    .refine(
      (entries) => new Set(entries.map((e) => e.name)).size === entries.length,
      "EVENT_DATABASES lists a binding twice",
    )
    .refine(
      (entries) =>
        entries.every((e, i) => i === 0 || (!Number.isNaN(e.since) && e.since >= (entries[i - 1]?.since ?? -Infinity))),
      "EVENT_DATABASES: days must be valid and in order, databases without a day first",
    ),
);

const cache = new WeakMap<object, EventDatabases>();

export function eventDatabases(env: Env): EventDatabases {
  const cached = cache.get(env);
  if (cached) return cached;
  const bindings = env as unknown as Record<string, unknown>;
  const entries = entriesOf(env);
  const all = entries.map(({ name }) => {
    const db = bindings[name] as Partial<D1Database> | undefined;
    if (typeof db?.prepare !== "function" || typeof db.batch !== "function") {
      throw new Error(`invalid event database variable: EVENT_DATABASES names "${name}", which is not a D1 binding`);
    }
    return db as D1Database;
  });
  const since = entries.map((e) => e.since);
  const databases: EventDatabases = {
    primary: all[0] as D1Database,
    all,
    names: entries.map((e) => e.name),
    since,
    shardOf:
      all.length === 1
        ? () => 0
        : (distinctId, day = Math.floor(Date.now() / DAY_MS)) => {
            // The databases of that day are a prefix of the list (their days are in order).
            let count = 0;
            while (count < since.length && (since[count] as number) <= day) count++;
            return murmur3(distinctId, 0x2545f491) % count;
          },
  };
  cache.set(env, databases);
  return databases;
}
