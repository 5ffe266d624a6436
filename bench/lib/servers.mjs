// The Workers a bench run can start. A scenario names the ones it needs (`servers`), and may
// add its own definitions (`serverDefs`), e.g. the collector with other vars.
import { copyFileSync, existsSync, mkdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import { RELAXED_RATE_LIMITS } from "../../scripts/lib/wrangler-dev.mjs";
import { applyMigrations, applySchema, ROOT, startWorker } from "./wrangler.mjs";

export const ADMIN_TOKEN = "bench-admin-token";
export const COLLECTOR_CONFIG = join(ROOT, "wrangler.toml");
export const SCHEMA = join(ROOT, "schema.sql");

// The rate limiter stays on (it is the production path), with every limit far above anything
// a bench run can reach on one machine: it is measured, never the bottleneck. One client
// address and a fixed set of install ids would exhaust the default limits within a second.
export const RATE_LIMIT_VARS = {
  RATE_LIMIT_ENABLED: "true",
  RATE_LIMIT_SALT_SECRET: "bench-rate-limit-salt-secret-local-only",
  ...RELAXED_RATE_LIMITS,
};

/**
 * A collector definition (own state, migrations applied) with the bench vars, plus `vars`.
 * `metered`: edgehog's Worker behind bench/workers/metered, which counts every billable unit
 * (GET /__meter); slower per request, so it is for the cost figures, not for timed ones.
 */
export function collectorDef({ vars = {}, setup, metered = false } = {}) {
  return {
    config: COLLECTOR_CONFIG,
    database: "edgehog",
    migrations: true,
    vars: { ADMIN_TOKEN, ...RATE_LIMIT_VARS, ...vars },
    readyPath: "/healthz",
    ...(setup ? { setup } : {}),
    ...(metered ? { makeConfig: writeMeteredConfig } : {}),
  };
}

/**
 * wrangler.toml without the consumer of the events queue, written into `dir` (its relative
 * paths made absolute): the collector's ingest path alone, its events stored by no consumer on
 * these cores (in production the consumer runs in invocations of its own).
 */
export function writeConfigWithoutEventsConsumer(dir) {
  const block = /\[\[queues\.consumers\]\]\nqueue = "edgehog-events"\n[\s\S]*?(?=\n\[)/;
  return writeDerivedConfig(dir, (toml) => {
    if (!block.test(toml)) throw new Error("wrangler.toml: no consumer block for edgehog-events");
    return toml.replace(block, "");
  });
}

/**
 * wrangler.toml with `main` pointed at the metered collector (bench/workers/metered), written
 * into `dir`. It imports src/ itself, so wrangler bundles it (into one module: its figures are
 * counts, not timings) instead of uploading the collector's split build, with "zod" resolved
 * to the collector's zod as the build does.
 */
export function writeMeteredConfig(dir) {
  return writeDerivedConfig(
    dir,
    (toml) =>
      `${toml
        .replace(/^main = "(.+)"$/m, () => `main = "${join(ROOT, "bench/workers/metered/index.ts")}"`)
        .replace(/^(base_dir|no_bundle|find_additional_modules|rules) = .*\n/gm, "")
        .replace(/^\[build\]\n(?:[^\n[]+\n)*/m, "")}\n[alias]\nzod = "./src/lib/zod.ts"\n`,
  );
}

/** wrangler.toml changed by `change`, its relative paths made absolute, written into `dir` with the local secrets. */
function writeDerivedConfig(dir, change) {
  const derived = change(readFileSync(COLLECTOR_CONFIG, "utf8"))
    .replace(/^main = "([^/].+)"$/m, (_, path) => `main = "${join(ROOT, path)}"`)
    .replace(/^migrations_dir = "(.+?)"/m, (_, path) => `migrations_dir = "${join(ROOT, path)}"`)
    // Paths written "./…" (base_dir, the build's watch_dir, [alias] entries) resolve from the
    // config's folder too.
    .replace(/^([\w@/-]+) = "(\.\/[^"]+)"$/gm, (_, name, path) => `${name} = "${join(ROOT, path)}"`);
  mkdirSync(dir, { recursive: true });
  const path = join(dir, "wrangler.toml");
  writeFileSync(path, derived);
  // wrangler dev reads the local secrets next to its config.
  const devVars = join(ROOT, ".dev.vars");
  if (existsSync(devVars)) copyFileSync(devVars, join(dir, ".dev.vars"));
  return path;
}

export const serverDefs = {
  // Two collectors with separate state: the ingest runs leave a queue backlog of duplicate
  // batches behind, so that one is stopped after them and the drain runs use a fresh one.
  collector: collectorDef(),
  // For the ingest scenario: the same collector, its queue's consumer left out (see above).
  "collector-ingest-only": { ...collectorDef(), makeConfig: writeConfigWithoutEventsConsumer },
  "collector-e2e": collectorDef(),
  noop: { config: join(ROOT, "bench/workers/noop/wrangler.toml"), readyPath: "/healthz" },
  "enqueue-only": { config: join(ROOT, "bench/workers/enqueue-only/wrangler.toml"), readyPath: "/healthz" },
  "direct-bulk": {
    config: join(ROOT, "bench/workers/direct-bulk/wrangler.toml"),
    database: "edgehog-bench-direct-bulk",
    schema: join(ROOT, "bench/workers/direct-bulk/schema.sql"),
    readyPath: "/healthz",
  },
  consumer: {
    config: join(ROOT, "bench/workers/consumer/wrangler.toml"),
    database: "edgehog-bench-consumer",
    migrations: true,
    readyPath: "/healthz",
  },
  naive: {
    config: join(ROOT, "bench/workers/naive/wrangler.toml"),
    database: "edgehog-bench-naive",
    schema: SCHEMA,
    readyPath: "/healthz",
  },
};

/**
 * Applies the migrations or the schema (if any) to the server's own state dir, runs the definition's
 * `setup({ persistTo, config, database })` (if any; its result becomes `worker.setup`), then
 * starts the server.
 */
export async function startServer(name, def, stateDir) {
  const persistTo = join(stateDir, name);
  const t0 = Date.now();
  if (def.makeConfig) def = { ...def, config: def.makeConfig(join(stateDir, `${name}-config`)) };
  if (def.migrations) await applyMigrations({ config: def.config, database: def.database, persistTo });
  if (def.schema) await applySchema({ config: def.config, database: def.database, persistTo, file: def.schema });
  const setup = def.setup ? await def.setup({ persistTo, config: def.config, database: def.database }) : undefined;
  const worker = await startWorker({
    name,
    config: def.config,
    persistTo,
    vars: def.vars ?? {},
    readyPath: def.readyPath ?? "/",
  });
  worker.readyMs = Date.now() - t0;
  worker.persistTo = persistTo;
  worker.config = def.config;
  worker.database = def.database;
  worker.setup = setup;
  return worker;
}
