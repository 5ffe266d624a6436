import { z } from "zod";

/**
 * A reader of one group of wrangler.toml vars, parsed by the schema of the feature that owns
 * them. Vars are fixed for the life of an isolate, so each env object is parsed once. A
 * malformed var is a deployment error: it throws (the request answers 500) rather than
 * silently running without a limit.
 */
export function varsReader<T>(group: string, schema: z.ZodType<T>): (env: object) => T {
  const cache = new WeakMap<object, T>();
  return (env) => {
    const cached = cache.get(env);
    if (cached !== undefined) return cached;
    const parsed = schema.safeParse(env);
    if (!parsed.success) throw new Error(`invalid ${group} variable: ${z.prettifyError(parsed.error)}`);
    cache.set(env, parsed.data);
    return parsed.data;
  };
}

/** A var holding a positive integer, with its default, and at most `ceiling` when one is given. */
export const positiveInt = (fallback: number, ceiling?: number) => {
  const int = z.coerce.number().int().positive();
  return (ceiling === undefined ? int : int.max(ceiling)).default(fallback);
};

/** A var holding a positive finite number (a rate), with its default. */
export const positiveNumber = (fallback: number) => z.coerce.number().positive().finite().default(fallback);

/** A var holding a boolean flag (`true`/`false`/`1`/`0`), with its default. */
export const flag = (fallback: boolean) =>
  z
    .enum(["true", "false", "1", "0"])
    .default(fallback ? "true" : "false")
    .transform((value) => value === "true" || value === "1");

/** A var holding a non-negative integer (0 turns something off), with its default. */
export const nonNegativeInt = (fallback: number) => z.coerce.number().int().nonnegative().default(fallback);
