/**
 * One rule for storage failures on the HTTP path: a call to D1, a Queue or R2 that fails while
 * a request is answered is the backend's failure, never the client's, and never a defect to
 * answer with a 500. Rather than recognise such errors by their messages (which no binding
 * documents), the request's bindings are wrapped once: an asynchronous failure of one of their
 * calls becomes a `StorageError` naming the binding and the call, which the error handler
 * answers as `503 storage_unavailable` with Retry-After, and logs.
 *
 * Only asynchronous failures are storage's: a binding's synchronous throw (`prepare` with a
 * statement that cannot be bound, `bind` of an unsupported value) is a defect of the caller and
 * stays what it is, a logged 500. The Durable Object namespace, vars and secrets pass through.
 */

/** What kind of storage a binding is, by the calls it offers. */
type StorageKind = "database" | "queue" | "archive";

export class StorageError extends Error {
  constructor(
    readonly kind: StorageKind,
    readonly binding: string,
    readonly call: string,
    cause: unknown,
  ) {
    super(`${binding}.${call}: ${cause instanceof Error ? cause.message : String(cause)}`, { cause });
    this.name = "StorageError";
  }
}

function kindOf(value: unknown): StorageKind | undefined {
  if (value === null || typeof value !== "object") return undefined;
  const has = (name: string) => typeof (value as Record<string, unknown>)[name] === "function";
  if (has("prepare") && has("batch")) return "database";
  if (has("sendBatch")) return "queue";
  if (has("head") && has("list") && has("put")) return "archive";
  return undefined;
}

/** The object each wrapper stands for, so that a wrapped statement handed back (`db.batch`) is the real one. */
const unwrapped = new WeakMap<object, object>();

function unwrap(value: unknown): unknown {
  if (Array.isArray(value)) return value.map(unwrap);
  return (value !== null && typeof value === "object" && unwrapped.get(value)) || value;
}

function guarded<T extends object>(target: T, kind: StorageKind, binding: string): T {
  const proxy = new Proxy(target, {
    get(object, property) {
      const value = Reflect.get(object, property, object);
      if (typeof value !== "function") return value;
      return (...args: unknown[]) => {
        const result: unknown = value.apply(object, args.map(unwrap));
        if (result instanceof Promise) {
          return result.catch((err: unknown) => {
            throw new StorageError(kind, binding, String(property), err);
          });
        }
        // A prepared statement, a bound one, a session: their calls are the binding's too.
        if (result !== null && typeof result === "object") return guarded(result, kind, binding);
        return result;
      };
    },
  });
  unwrapped.set(proxy, target);
  return proxy;
}

const guardedEnvs = new WeakMap<object, object>();

/** `env` with its D1, Queue and R2 bindings guarded; the same object for the same `env`. */
export function guardStorage<E extends object>(env: E): E {
  const cached = guardedEnvs.get(env);
  if (cached) return cached as E;
  const bindings = new Map<PropertyKey, unknown>();
  const wrapped = new Proxy(env, {
    get(target, property) {
      if (bindings.has(property)) return bindings.get(property);
      const value: unknown = Reflect.get(target, property);
      const kind = kindOf(value);
      const result = kind ? guarded(value as object, kind, String(property)) : value;
      bindings.set(property, result);
      return result;
    },
  });
  guardedEnvs.set(env, wrapped);
  guardedEnvs.set(wrapped, wrapped);
  return wrapped;
}
