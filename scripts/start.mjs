#!/usr/bin/env node
// `npm start`: the collector on http://127.0.0.1:8787 (PORT overrides) with `wrangler dev`,
// through the project's one launcher (scripts/lib/wrangler-dev.mjs): local secrets in .dev.vars,
// the D1 migrations applied to the local database (GET /cdn-cgi/handler/scheduled runs
// the cron), and a `demo` tenant with a fresh token. wrangler's own output (a table per
// migration, every binding and var) is kept back and shown only if something fails: the
// screen shows what is served where, the token, and how to stop; then the requests as they come.
import { readdirSync } from "node:fs";
import { join } from "node:path";
import { parseCommandLine } from "./lib/cli.mjs";
import { adminTokenFor, operatorApi, seedDemoTenant } from "./lib/operator-api.mjs";
import {
  applyMigrations,
  ensureDevVars,
  portInUse,
  RELAXED_RATE_LIMITS,
  ROOT,
  startWranglerDev,
} from "./lib/wrangler-dev.mjs";

const HELP = `usage: npm start [-- --relax-limits]
  The collector on http://127.0.0.1:\${PORT:-8787} (wrangler dev, local D1, Queues, R2 and Durable
  Objects in .wrangler/state), a "demo" tenant and a fresh token for it. Stop with Ctrl-C.
  --relax-limits   every rate limit raised to 10^9 (the limiter still runs), for local load;
                   EDGEHOG_RELAX_LIMITS=1 does the same
  PORT=<port>      another port`;

const { values } = parseCommandLine(HELP, { options: { "relax-limits": { type: "boolean", default: false } } });
const relaxLimits = values["relax-limits"] || process.env.EDGEHOG_RELAX_LIMITS === "1";
const port = process.env.PORT ?? "8787";
const url = `http://127.0.0.1:${port}`;

/** Says what failed, with wrangler's output when there is some, and exits 1. */
function fail(message, output = "") {
  if (output) console.error(output.trimEnd());
  console.error(`✗ ${message}`);
  process.exit(1);
}

if (!/^\d{1,5}$/.test(port)) fail(`PORT must be a port number, got "${port}"`);
if (await portInUse(Number(port)))
  fail(`something already listens on ${url}: stop it, or run PORT=<another port> npm start`);

const devVars = ensureDevVars();
const notes = [];
if (devVars.created) notes.push("created .dev.vars from .dev.vars.example (local secrets)");
if (devVars.added.length > 0) notes.push(`added to .dev.vars: ${devVars.added.join(", ")}`);

console.log(`▸ applying the D1 migrations and starting edgehog on ${url}…`);
const migrations = await applyMigrations().catch((err) => fail("applying the D1 migrations failed", err.message));
const known = readdirSync(join(ROOT, "migrations")).filter((name) => name.endsWith(".sql")).length;

const dev = await startWranglerDev({
  name: "edgehog",
  port: Number(port),
  vars: relaxLimits ? RELAXED_RATE_LIMITS : {},
  timeoutMs: 120_000,
}).catch((err) => fail("wrangler dev did not start", err.message));

let stopping = false;
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, async () => {
    stopping = true;
    await dev.stop();
    process.exit(0);
  });
}
dev.child.on("exit", (code, signal) => {
  if (stopping) return;
  console.error(`✗ wrangler dev exited (${code ?? signal})`);
  process.exit(code || 1);
});

// The demo tenant and a token for it, through the operator API.
let demo;
try {
  demo = await seedDemoTenant(operatorApi(url, adminTokenFor(url)));
} catch (err) {
  await dev.stop();
  fail(`seeding the demo tenant failed: ${err.message}`, dev.output());
}

const applied = migrations.applied.length > 0 ? `, ${migrations.applied.length} applied now` : ", up to date";
console.log(
  [
    ...notes.map((note) => `▸ ${note}`),
    `✓ edgehog is running on ${url}   (local state in .wrangler/state)`,
    `  what is where  ${url}/   catalogue ${url}/v1/catalog   events POST ${url}/v1/events`,
    `  dashboard      ${url}/dashboard (sign in with ADMIN_TOKEN from .dev.vars)`,
    `  cron           curl "${url}/cdn-cgi/handler/scheduled?cron=17+*+*+*+*"`,
    `  D1             ${known} migrations${applied}`,
    relaxLimits
      ? "  rate limits    relaxed: every bucket 10^9 (the limiter still runs)"
      : "  rate limits    as in wrangler.toml (npm start -- --relax-limits for local load)",
    `  tenant "demo"  ${demo.tenant.id}; a new token, shown once:`,
    `    ${demo.token}`,
    `  e.g. curl -H "authorization: Bearer ${demo.token}" ${url}/v1/usage …`,
    "Stop with Ctrl-C. Requests and the Worker's own logs follow.",
  ].join("\n"),
);
dev.child.stdout?.pipe(process.stdout);
dev.child.stderr?.pipe(process.stderr);
