/**
 * Bindings that count what the code under test costs: D1 rows written and read (from each
 * result's `meta`, as D1 bills them) and R2 operations. Each wraps the real local binding.
 */

export interface D1Meter {
  rowsWritten: number;
  rowsRead: number;
  statements: number;
}

/** A D1 binding that adds every statement's `meta.rows_written` / `rows_read` to `meter`. */
export function meteredD1(db: D1Database, meter: D1Meter): D1Database {
  const real = new WeakMap<object, D1PreparedStatement>();
  const add = (result: D1Result | D1Response | undefined) => {
    meter.statements++;
    meter.rowsWritten += result?.meta?.rows_written ?? 0;
    meter.rowsRead += result?.meta?.rows_read ?? 0;
  };
  const wrap = (statement: D1PreparedStatement): D1PreparedStatement => {
    const wrapper = {
      bind: (...values: unknown[]) => wrap(statement.bind(...values)),
      run: async () => {
        const result = await statement.run();
        add(result);
        return result;
      },
      all: async () => {
        const result = await statement.all();
        add(result);
        return result;
      },
      first: async (column?: string) => {
        const result = await statement.all<Record<string, unknown>>();
        add(result);
        const row = result.results[0];
        if (row === undefined) return null;
        return column === undefined ? row : row[column];
      },
      raw: (options?: { columnNames?: boolean }) => statement.raw(options as { columnNames: true }),
    } as unknown as D1PreparedStatement;
    real.set(wrapper, statement);
    return wrapper;
  };
  return {
    prepare: (query: string) => wrap(db.prepare(query)),
    batch: async (statements: D1PreparedStatement[]) => {
      const results = await db.batch(statements.map((s) => real.get(s) ?? s));
      for (const result of results) add(result);
      return results;
    },
    exec: (query: string) => db.exec(query),
    dump: () => db.dump(),
    withSession: () => {
      throw new Error("not metered");
    },
  } as unknown as D1Database;
}

export interface R2Meter {
  gets: number;
  puts: number;
  deletes: number;
  lists: number;
}

/** An R2 binding that counts objects read (`get`), written (`put`), deleted, and list calls. */
export function meteredR2(bucket: R2Bucket, meter: R2Meter): R2Bucket {
  return {
    get: (key: string, options?: R2GetOptions) => {
      meter.gets++;
      return bucket.get(key, options);
    },
    head: (key: string) => bucket.head(key),
    put: (key: string, value: Parameters<R2Bucket["put"]>[1], options?: R2PutOptions) => {
      meter.puts++;
      return bucket.put(key, value, options);
    },
    delete: (keys: string | string[]) => {
      meter.deletes += Array.isArray(keys) ? keys.length : 1;
      return bucket.delete(keys);
    },
    list: (options?: R2ListOptions) => {
      meter.lists++;
      return bucket.list(options);
    },
  } as unknown as R2Bucket;
}

export const d1Meter = (): D1Meter => ({ rowsWritten: 0, rowsRead: 0, statements: 0 });
export const r2Meter = (): R2Meter => ({ gets: 0, puts: 0, deletes: 0, lists: 0 });
