// The Workers a bench run can start. A scenario names the ones it needs (`servers`), and may
// add its own definitions (`serverDefs`), e.g. the collector with other vars.
import { join } from "node:path";
import { applySchema, ROOT, startWorker } from "./wrangler.mjs";

export const ADMIN_TOKEN = "bench-admin-token";
const collectorConfig = join(ROOT, "wrangler.toml");
const schema = join(ROOT, "schema.sql");

export const serverDefs = {
  // Two collectors with separate state: the ingest runs leave a queue backlog of duplicate
  // batches behind, so that one is stopped after them and the drain runs use a fresh one.
  collector: { config: collectorConfig, database: "edgehog", schema, vars: { ADMIN_TOKEN }, readyPath: "/healthz" },
  "collector-e2e": {
    config: collectorConfig,
    database: "edgehog",
    schema,
    vars: { ADMIN_TOKEN },
    readyPath: "/healthz",
  },
  noop: { config: join(ROOT, "bench/workers/noop/wrangler.toml"), readyPath: "/healthz" },
  naive: {
    config: join(ROOT, "bench/workers/naive/wrangler.toml"),
    database: "edgehog-bench-naive",
    schema,
    readyPath: "/healthz",
  },
};

/** Applies the schema (if any) to the server's own state dir, then starts it. */
export async function startServer(name, def, stateDir) {
  const persistTo = join(stateDir, name);
  const t0 = Date.now();
  if (def.schema) await applySchema({ config: def.config, database: def.database, persistTo, file: def.schema });
  const worker = await startWorker({
    name,
    config: def.config,
    persistTo,
    vars: def.vars ?? {},
    readyPath: def.readyPath ?? "/",
  });
  worker.readyMs = Date.now() - t0;
  return worker;
}
