#!/usr/bin/env node
// @ts-check
// `npm run size:worker`: the Worker's bundle as a deploy uploads it (wrangler.toml's minify and
// zod alias applied), gzipped, against its budget; and what it must not carry: zod's
// error-message locales other than English (the collector's zod, src/lib/zod.ts, leaves them
// out). Exits 1 over the budget or with a locale in the bundle. The budget is the size a cold
// start loads; docs/PERFORMANCE.md has the figures and their history is in git.
// `--json` prints the figures as JSON (test/scripts/bundle-size.test.ts reads them).
import { parseCommandLine } from "./lib/cli.mjs";
import { buildWorker, ownerOf } from "./lib/worker-bundle.mjs";

const { values } = parseCommandLine(
  `usage: npm run size:worker [-- --json]
  Bundles the Worker as wrangler deploy would (nothing is deployed) and checks its gzipped size
  against the budget; exits 1 over it, or when the bundle carries zod's locales.
  --json   print the figures as JSON`,
  { options: { json: { type: "boolean", default: false } } },
);

/** The gzipped bundle's budget, in bytes. */
const BUDGET_BYTES = 264 * 1024;
/** zod's only locale the collector needs: English, zod's default (its messages are reworded anyway). */
const ZOD_LOCALE = /node_modules\/zod\/v4\/locales\/(?!en\.js$)/;

const bundle = await buildWorker();
bundle.remove();
const byOwner = new Map();
for (const [input, bytes] of bundle.inputBytes) {
  byOwner.set(ownerOf(input), (byOwner.get(ownerOf(input)) ?? 0) + bytes);
}
const figures = {
  bytes: bundle.bytes,
  gzipped: bundle.gzipBytes,
  budget: BUDGET_BYTES,
  wrangler: bundle.wranglerSays,
  locales: [...bundle.inputBytes.keys()].filter((input) => ZOD_LOCALE.test(input)),
  // minified bytes per package or src/ folder, largest first
  shares: Object.fromEntries([...byOwner].sort((a, b) => b[1] - a[1])),
};

if (values.json) console.log(JSON.stringify(figures));
else {
  const kib = (/** @type {number} */ n) => `${(n / 1024).toFixed(2)} KiB`;
  console.log(`the Worker: ${kib(figures.bytes)}, ${kib(figures.gzipped)} gzipped (budget ${kib(BUDGET_BYTES)})`);
  console.log(`wrangler: ${figures.wrangler}`);
  const total = [...byOwner.values()].reduce((a, b) => a + b, 0);
  for (const [owner, bytes] of Object.entries(figures.shares).slice(0, 15)) {
    console.log(`  ${owner.padEnd(34)} ${kib(bytes).padStart(11)}  ${((100 * bytes) / total).toFixed(1)} %`);
  }
}
let failed = false;
if (figures.gzipped > BUDGET_BYTES) {
  console.error(`the Worker is ${figures.gzipped - BUDGET_BYTES} bytes over its ${BUDGET_BYTES}-byte budget`);
  failed = true;
}
if (figures.locales.length > 0) {
  console.error(`zod's locales are in the bundle (is "zod" aliased to src/lib/zod.ts?): ${figures.locales.join(", ")}`);
  failed = true;
}
if (failed) process.exit(1);
