import { z } from "zod";
import { murmur3 } from "./hash";
import { varsReader } from "./vars";

/**
 * The D1 databases that hold events (wrangler.toml var `EVENT_DATABASES`: binding names, `DB`
 * first). One database holds about 300 million events' dedupe keys in its 10 GB
 * (docs/SCALING.md); past that, events are spread over several databases by install:
 * everything of one install (its dedupe keys, the counts of its events, its active days, its
 * tombstone) lives in the database its id hashes to, so each database's transaction is exactly
 * once on its own, and installs never appear in two of them (their counts simply add up).
 * Per-request counters (rejections, dropped properties) stay in the first one.
 *
 * The list is fixed for a deployment's life: adding a database moves installs to another
 * shard, whose dedupe keys do not hold their earlier events.
 */
export interface EventDatabases {
  /** `DB`: per-request counters, and every table that is not about events. */
  primary: D1Database;
  /** Every event database, `DB` first; an install's shard is `all[shardOf(id)]`. */
  all: readonly D1Database[];
  /** Their binding names, in the same order. */
  names: readonly string[];
  shardOf(distinctId: string): number;
}

const namesOf = varsReader(
  "event database",
  z
    .object({ EVENT_DATABASES: z.string().default("DB") })
    .transform((v) => v.EVENT_DATABASES.split(",").map((name) => name.trim()))
    .refine((names) => names[0] === "DB", "EVENT_DATABASES must list DB first")
    .refine((names) => new Set(names).size === names.length, "EVENT_DATABASES lists a binding twice"),
);

const cache = new WeakMap<object, EventDatabases>();

export function eventDatabases(env: Env): EventDatabases {
  const cached = cache.get(env);
  if (cached) return cached;
  const bindings = env as unknown as Record<string, unknown>;
  const names = namesOf(env);
  const all = names.map((name) => {
    const db = bindings[name] as Partial<D1Database> | undefined;
    if (typeof db?.prepare !== "function" || typeof db.batch !== "function") {
      throw new Error(`invalid event database variable: EVENT_DATABASES names "${name}", which is not a D1 binding`);
    }
    return db as D1Database;
  });
  const databases: EventDatabases = {
    primary: all[0] as D1Database,
    all,
    names,
    shardOf: all.length === 1 ? () => 0 : (distinctId) => murmur3(distinctId, 0x2545f491) % all.length,
  };
  cache.set(env, databases);
  return databases;
}
