/**
 * Bindings that count what the code under test costs, as the platform bills it: D1 rows written
 * and read (from each result's `meta`), R2 operations, Queue messages and their 64 KB units,
 * Durable Object calls. Each wraps the real local binding. The tests use them, and so does the
 * bench's metered collector (bench/workers/metered).
 */

export interface D1Meter {
  rowsWritten: number;
  rowsRead: number;
  statements: number;
  /** Rows written, by the table a statement writes (`INSERT INTO`, `UPDATE`, `DELETE FROM`), when asked for. */
  writtenByTable?: Record<string, number>;
}

const WRITES = /\b(?:INSERT(?:\s+OR\s+\w+)?\s+INTO|UPDATE|DELETE\s+FROM)\s+(\w+)/i;

/** A D1 binding that adds every statement's `meta.rows_written` / `rows_read` to `meter`. */
export function meteredD1(db: D1Database, meter: D1Meter): D1Database {
  const real = new WeakMap<object, D1PreparedStatement>();
  const tables = new WeakMap<object, string>();
  const add = (result: D1Result | D1Response | undefined, table = "") => {
    meter.statements++;
    const written = result?.meta?.rows_written ?? 0;
    meter.rowsWritten += written;
    meter.rowsRead += result?.meta?.rows_read ?? 0;
    if (meter.writtenByTable && written > 0) {
      meter.writtenByTable[table] = (meter.writtenByTable[table] ?? 0) + written;
    }
  };
  const wrap = (statement: D1PreparedStatement, table: string): D1PreparedStatement => {
    const wrapper = {
      bind: (...values: unknown[]) => wrap(statement.bind(...values), table),
      run: async () => {
        const result = await statement.run();
        add(result, table);
        return result;
      },
      all: async () => {
        const result = await statement.all();
        add(result, table);
        return result;
      },
      first: async (column?: string) => {
        const result = await statement.all<Record<string, unknown>>();
        add(result, table);
        const row = result.results[0];
        if (row === undefined) return null;
        return column === undefined ? row : row[column];
      },
      raw: (options?: { columnNames?: boolean }) => statement.raw(options as { columnNames: true }),
    } as unknown as D1PreparedStatement;
    real.set(wrapper, statement);
    tables.set(wrapper, table);
    return wrapper;
  };
  return {
    prepare: (query: string) => wrap(db.prepare(query), WRITES.exec(query)?.[1] ?? ""),
    batch: async (statements: D1PreparedStatement[]) => {
      const results = await db.batch(statements.map((s) => real.get(s) ?? s));
      results.forEach((result, i) => {
        add(result, tables.get(statements[i] as object));
      });
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
  heads?: number;
}

/** An R2 binding that counts objects read (`get`, `head`), written (`put`), deleted, and list calls. */
export function meteredR2(bucket: R2Bucket, meter: R2Meter): R2Bucket {
  return {
    get: (key: string, options?: R2GetOptions) => {
      meter.gets++;
      return bucket.get(key, options);
    },
    head: (key: string) => {
      meter.heads = (meter.heads ?? 0) + 1;
      return bucket.head(key);
    },
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

export interface QueueMeter {
  messages: number;
  bytes: number;
  /** Queues bill an operation per 64 KB (of 1,000 bytes) of a message, written, read and deleted. */
  units64k: number;
}

export const queueMeter = (): QueueMeter => ({ messages: 0, bytes: 0, units64k: 0 });

const utf8 = new TextEncoder();

/**
 * A Queue producer that counts the messages sent and their size as UTF-8 JSON. A value's V8
 * form, what the Queue carries, is close to it for the ASCII text events hold (the bench's
 * 100-event message: 31,673 bytes in V8, 33,505 as JSON), and never over twice it
 * (test/e2e/v8-size.test.ts).
 */
export function meteredQueue<T>(queue: Queue<T>, meter: QueueMeter): Queue<T> {
  const count = (body: unknown) => {
    const bytes = utf8.encode(JSON.stringify(body)).byteLength;
    meter.messages++;
    meter.bytes += bytes;
    meter.units64k += Math.max(1, Math.ceil(bytes / 64_000));
  };
  return {
    send: (body: T, options?: QueueSendOptions) => {
      count(body);
      return queue.send(body, options);
    },
    sendBatch: (messages: Iterable<MessageSendRequest<T>>, options?: QueueSendBatchOptions) => {
      const list = [...messages];
      for (const message of list) count(message.body);
      return queue.sendBatch(list, options);
    },
  } as Queue<T>;
}

/** A Durable Object namespace whose stubs count every call made through them (`requests`). */
export function meteredNamespace<T extends Rpc.DurableObjectBranded | undefined>(
  namespace: DurableObjectNamespace<T>,
  meter: { requests: number },
): DurableObjectNamespace<T> {
  const stubOf = (stub: DurableObjectStub<T>) =>
    new Proxy(stub, {
      get(target, name) {
        const value = Reflect.get(target, name);
        if (typeof value !== "function" || name === "then") return value;
        // Reflect.apply: on an RPC stub, `value.apply` would itself be a remote method.
        return (...args: unknown[]) => {
          meter.requests++;
          return Reflect.apply(value, target, args);
        };
      },
    });
  return new Proxy(namespace, {
    get(target, name) {
      const value = Reflect.get(target, name);
      if (name === "get" || name === "getByName") {
        return (...args: unknown[]) => stubOf(Reflect.apply(value, target, args) as DurableObjectStub<T>);
      }
      return typeof value === "function" ? value.bind(target) : value;
    },
  });
}
