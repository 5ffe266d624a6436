#!/usr/bin/env node
// @ts-check
// `npm run size:worker`: the Worker as a deploy uploads it (wrangler deploy --dry-run, which runs
// the build: scripts/build-worker.mjs), against two budgets. What a cold start loads, the main
// module and the modules it imports statically (each gzipped on its own, summed), against
// COLD_START_BUDGET; and the whole upload, every module (what Cloudflare's size limit counts,
// gzipped as wrangler measures it), against UPLOAD_BUDGET. What a cold start loads must come
// from COLD_START_SOURCES only (the doors events come in by and what they need: the rest is
// loaded on first use), and no module may carry zod's error-message locales other than English
// (the collector's zod, src/lib/zod.ts, leaves them out). Exits 1 when one of these is broken.
// Prints a table of the modules: their sizes, whether a cold start loads them, what they hold.
// docs/PERFORMANCE.md has the figures; their history is in git.
// `--json` prints the figures as JSON (test/scripts/bundle-size.test.ts reads them).
import { parseCommandLine } from "./lib/cli.mjs";
import { buildWorker, ownerOf } from "./lib/worker-bundle.mjs";

const { values } = parseCommandLine(
  `usage: npm run size:worker [-- --json]
  Builds the Worker as wrangler deploy would (nothing is deployed) and checks what a cold start
  loads and the whole upload against their gzipped budgets; exits 1 over one, when a cold start
  loads a source it should load on first use, or when a module carries zod's locales.
  --json   print the figures as JSON`,
  { options: { json: { type: "boolean", default: false } } },
);

/** What a cold start loads, each module gzipped on its own, in bytes. */
const COLD_START_BUDGET = 150 * 1024;
/** Every module wrangler uploads, gzipped together as wrangler measures it, in bytes. */
const UPLOAD_BUDGET = 272 * 1024;
/**
 * The sources a cold start may load (packages, src/ folders and entry files, the SDK's shared
 * files): the doors events, reports and forgets come in by, and what they need. The prehog door
 * (protobuf, Connect), the operator API, the dashboard, the reference, the queue consumers, the
 * cron and Parquet are loaded on first use; a source not listed here that a cold start loads
 * fails the check: import it with `import()` where it is needed, or list it knowingly.
 */
const COLD_START_SOURCES = new Set([
  "zod",
  "hono",
  "@hono/zod-openapi",
  "@hono/zod-validator",
  "@asteasolutions/zod-to-openapi",
  "src/index.ts",
  "src/app.ts",
  "src/admin",
  "src/aggregate",
  "src/archive",
  "src/billing",
  "src/catalog",
  "src/forget",
  "src/home",
  "src/http",
  "src/ingest",
  "src/lib",
  "src/posthog",
  "src/privacy",
  "src/ratelimit",
  "src/tenants",
  "src/usage",
  "packages/client/src/shared",
]);
/** zod's only locale the collector needs: English, zod's default (its messages are reworded anyway). */
const ZOD_LOCALE = /node_modules\/zod\/v4\/locales\/(?!en\.js$)/;

/** The source an input counts as for COLD_START_SOURCES. */
const sourceOf = (/** @type {string} */ input) =>
  input.startsWith("packages/client/src/shared/") ? "packages/client/src/shared" : ownerOf(input);

const bundle = await buildWorker();
bundle.remove();

/** Bytes per owner (package or src/ folder) of the given inputs, largest first. */
function shares(/** @type {Iterable<[string, number]>} */ inputs) {
  const byOwner = new Map();
  for (const [input, bytes] of inputs) byOwner.set(ownerOf(input), (byOwner.get(ownerOf(input)) ?? 0) + bytes);
  return Object.fromEntries([...byOwner].sort((a, b) => b[1] - a[1]));
}

const coldInputs = bundle.modules.filter((m) => m.coldStart).flatMap((m) => [...m.inputBytes]);
const figures = {
  coldStart: {
    bytes: bundle.coldStart.bytes,
    gzipped: bundle.coldStart.gzipBytes,
    budget: COLD_START_BUDGET,
    modules: bundle.modules.filter((m) => m.coldStart).map((m) => m.name),
    // sources a cold start loads that COLD_START_SOURCES does not list
    unlisted: [...new Set(coldInputs.map(([input]) => sourceOf(input)))].filter((s) => !COLD_START_SOURCES.has(s)),
    shares: shares(coldInputs),
  },
  upload: {
    bytes: bundle.total.bytes,
    gzipped: bundle.total.gzipBytes,
    budget: UPLOAD_BUDGET,
    modules: bundle.modules.length,
    shares: shares(bundle.modules.flatMap((m) => [...m.inputBytes])),
  },
  wrangler: bundle.wranglerSays,
  locales: [...new Set(bundle.modules.flatMap((m) => [...m.inputBytes.keys()]).filter((i) => ZOD_LOCALE.test(i)))],
  modules: bundle.modules.map((m) => ({
    name: m.name,
    bytes: m.bytes,
    gzipped: m.gzipBytes,
    coldStart: m.coldStart,
    entry: m.entry,
    imports: m.imports,
    lazyImports: m.lazyImports,
    shares: shares(m.inputBytes),
    inputs: [...m.inputBytes.keys()],
  })),
};

if (values.json) console.log(JSON.stringify(figures));
else {
  const kib = (/** @type {number} */ n) => `${(n / 1024).toFixed(2)} KiB`;
  const { coldStart, upload } = figures;
  console.log(
    `what a cold start loads: ${coldStart.modules.length} modules, ${kib(coldStart.bytes)}, ${kib(coldStart.gzipped)} gzipped (each module alone; budget ${kib(coldStart.budget)})`,
  );
  console.log(
    `the upload: ${upload.modules} modules, ${kib(upload.bytes)}, ${kib(upload.gzipped)} gzipped (budget ${kib(upload.budget)})`,
  );
  console.log(`wrangler: ${figures.wrangler}`);
  // A module is loaded by a cold start, by an `import()` of its source the first time it is
  // needed, or with such a module (one it imports statically).
  console.log(`  ${"module".padEnd(34)} ${"size".padStart(10)} ${"gzipped".padStart(10)}  loaded`);
  const small = figures.modules.filter((m) => m.bytes < 2048);
  for (const m of figures.modules.filter((m) => m.bytes >= 2048)) {
    const holds = Object.entries(m.shares)
      .slice(0, 4)
      .map(([owner, bytes]) => `${owner} ${(bytes / 1024).toFixed(1)}`)
      .join(", ");
    const loaded = m.coldStart ? "cold start" : m.entry ? `import() of ${m.entry}` : "with an import()ed one";
    console.log(
      `  ${m.name.padEnd(34)} ${kib(m.bytes).padStart(10)} ${kib(m.gzipped).padStart(10)}  ${loaded}: ${holds}`,
    );
  }
  const smallBytes = small.reduce((sum, m) => sum + m.bytes, 0);
  const smallCold = small.filter((m) => m.coldStart).length;
  console.log(`  and ${small.length} modules under 2 KiB (${smallCold} loaded by a cold start): ${kib(smallBytes)}`);
}
let failed = false;
if (figures.coldStart.gzipped > COLD_START_BUDGET) {
  console.error(
    `a cold start loads ${figures.coldStart.gzipped - COLD_START_BUDGET} bytes over its ${COLD_START_BUDGET}-byte budget`,
  );
  failed = true;
}
if (figures.upload.gzipped > UPLOAD_BUDGET) {
  console.error(`the upload is ${figures.upload.gzipped - UPLOAD_BUDGET} bytes over its ${UPLOAD_BUDGET}-byte budget`);
  failed = true;
}
if (figures.coldStart.unlisted.length > 0) {
  console.error(
    `a cold start loads ${figures.coldStart.unlisted.join(", ")}: load it with import() where it is needed, or list it in COLD_START_SOURCES (scripts/bundle-size.mjs)`,
  );
  failed = true;
}
if (figures.locales.length > 0) {
  console.error(
    `zod's locales are in the Worker (is "zod" the collector's, src/lib/zod.ts?): ${figures.locales.join(", ")}`,
  );
  failed = true;
}
if (failed) process.exit(1);
