import worker from "../../../src/index";
import { eventDatabases } from "../../../src/lib/event-databases";
import { RateLimiterShard as Shard } from "../../../src/ratelimit/durable-object";
import { shardName } from "../../../src/ratelimit/shards";
import {
  type D1Meter,
  d1Meter,
  meteredD1,
  meteredNamespace,
  meteredQueue,
  meteredR2,
  type QueueMeter,
  queueMeter,
  type R2Meter,
  r2Meter,
} from "../../../test/helpers/metered";

/**
 * The collector with every binding metered, for the bench's cost figures (bench/scenarios/
 * cost.mjs): edgehog's own Worker (src/index.ts) unchanged, its D1 databases, R2 bucket, queues
 * and rate-limiter namespace wrapped to count what the platform bills (test/helpers/metered.ts),
 * and its rate-limiter objects counting the SQLite rows they write. `GET /__meter` answers the
 * counts so far (`?reset=1` zeroes them). Started by `npm run bench` only, with wrangler.toml's
 * bindings and `main` pointed here (bench/lib/servers.mjs).
 */

interface Meter {
  workerRequests: { fetch: number; queue: number; scheduled: number };
  d1: D1Meter;
  r2: R2Meter;
  queues: QueueMeter & { retries: number; deliveries: number; delivered: number };
  durableObjects: { requests: number };
}

const fresh = (): Meter => ({
  workerRequests: { fetch: 0, queue: 0, scheduled: 0 },
  d1: { ...d1Meter(), writtenByTable: {} },
  r2: { ...r2Meter(), heads: 0 },
  queues: { ...queueMeter(), retries: 0, deliveries: 0, delivered: 0 },
  durableObjects: { requests: 0 },
});

const meter = fresh();
const wrapped = new WeakMap<Env, Env>();

function metered(env: Env): Env {
  let env2 = wrapped.get(env);
  if (env2) return env2;
  const bindings = env as unknown as Record<string, unknown>;
  const databases = Object.fromEntries(
    eventDatabases(env).names.map((name) => [name, meteredD1(bindings[name] as D1Database, meter.d1)]),
  );
  env2 = {
    ...env,
    ...databases,
    ARCHIVE: meteredR2(env.ARCHIVE, meter.r2),
    EVENTS_QUEUE: meteredQueue(env.EVENTS_QUEUE, meter.queues),
    FORWARD_QUEUE: meteredQueue(env.FORWARD_QUEUE, meter.queues),
    RATE_LIMITER: meteredNamespace(env.RATE_LIMITER, meter.durableObjects),
  } as Env;
  wrapped.set(env, env2);
  return env2;
}

/** Rows each of the limiter's objects wrote to its SQLite, by object id. */
const objectRows = new Map<string, number>();

/** The limiter's object, counting the rows its SQLite writes (billed as D1's rows are). */
export class RateLimiterShard extends Shard {
  constructor(ctx: DurableObjectState, env: unknown) {
    const id = ctx.id.toString();
    const sql = ctx.storage.sql;
    const exec = sql.exec.bind(sql);
    Object.defineProperty(sql, "exec", {
      value: (query: string, ...bindings: unknown[]) => {
        const cursor = exec(query, ...bindings);
        objectRows.set(id, (objectRows.get(id) ?? 0) + cursor.rowsWritten);
        return cursor;
      },
    });
    super(ctx, env);
  }

  /** Rows written so far (what is unsaved is written first); `reset` zeroes the count. */
  meterReading(reset: boolean): number {
    this.save();
    const id = this.ctx.id.toString();
    const rows = objectRows.get(id) ?? 0;
    if (reset) objectRows.set(id, 0);
    return rows;
  }
}

async function reading(env: Env, reset: boolean) {
  const shards = Number(env.RATE_LIMIT_SHARDS ?? 16);
  const rows = await Promise.all(
    Array.from({ length: shards }, (_, i) =>
      (env.RATE_LIMITER.get(env.RATE_LIMITER.idFromName(shardName(i))) as unknown as RateLimiterShard).meterReading(
        reset,
      ),
    ),
  );
  const result = structuredClone({
    ...meter,
    durableObjects: { ...meter.durableObjects, sqlRowsWritten: rows.reduce((a, b) => a + b) },
  });
  if (reset) {
    // In place: the metered bindings hold these objects.
    const zero = fresh();
    for (const key of Object.keys(zero) as (keyof Meter)[]) Object.assign(meter[key], zero[key]);
  }
  return result;
}

export default {
  async fetch(request, env, ctx) {
    const url = new URL(request.url);
    if (url.pathname === "/__meter") return Response.json(await reading(env, url.searchParams.has("reset")));
    meter.workerRequests.fetch++;
    return worker.fetch(request, metered(env), ctx);
  },
  async queue(batch, env) {
    meter.workerRequests.queue++;
    meter.queues.deliveries++;
    meter.queues.delivered += batch.messages.length;
    for (const message of batch.messages) {
      const retry = message.retry.bind(message);
      message.retry = (options) => {
        meter.queues.retries++;
        retry(options);
      };
    }
    await worker.queue(batch, metered(env));
  },
  async scheduled(controller, env) {
    meter.workerRequests.scheduled++;
    await worker.scheduled(controller, metered(env));
  },
} satisfies ExportedHandler<Env, unknown>;
