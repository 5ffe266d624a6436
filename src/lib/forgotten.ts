import type { EventDatabases } from "./event-databases";

/**
 * Which installs are forgotten: the tombstones `POST /v1/forget` leaves in each install's event
 * database (`forgotten_installs`), read by every path that sends an install's events on after
 * the consumer stored them: the forwarder at send time, a re-drive of parked messages, and the
 * archive's exports. (The consumer reads them inside its own transactions.)
 */

/** Ids per lookup: their JSON stays far below D1's limit on a bound value. */
const LOOKUP_CHUNK = 5000;

const FORGOTTEN = "SELECT distinct_id FROM forgotten_installs WHERE distinct_id IN (SELECT value FROM json_each(?1))";

/** Which of `ids` are forgotten, in whichever event database each belongs to. */
export async function forgottenAmong(databases: EventDatabases, ids: Iterable<string>): Promise<Set<string>> {
  const byDatabase = new Map<number, string[]>();
  for (const id of new Set(ids)) {
    const shard = databases.shardOf(id);
    let list = byDatabase.get(shard);
    if (!list) {
      list = [];
      byDatabase.set(shard, list);
    }
    list.push(id);
  }
  const forgotten = new Set<string>();
  await Promise.all(
    [...byDatabase].map(async ([shard, list]) => {
      const db = databases.all[shard] as D1Database;
      for (let start = 0; start < list.length; start += LOOKUP_CHUNK) {
        const { results } = await db
          .prepare(FORGOTTEN)
          .bind(JSON.stringify(list.slice(start, start + LOOKUP_CHUNK)))
          .all<{ distinct_id: string }>();
        for (const row of results) forgotten.add(row.distinct_id);
      }
    }),
  );
  return forgotten;
}

/**
 * Lists of items (the events of parked messages) without the items of forgotten installs, with
 * one lookup for all of them: each list filtered, or `undefined` where it holds none.
 */
export async function withoutForgotten<T>(
  databases: EventDatabases,
  lists: readonly (readonly T[] | undefined)[],
  installOf: (item: T) => string,
): Promise<(T[] | undefined)[]> {
  const forgotten = await forgottenAmong(
    databases,
    lists.flatMap((list) => (list ?? []).map(installOf)),
  );
  return lists.map((list) =>
    list?.some((item) => forgotten.has(installOf(item)))
      ? list.filter((item) => !forgotten.has(installOf(item)))
      : undefined,
  );
}
