#!/usr/bin/env node
// `npm run size`: what `createClient` + `anonymize` add to a web page, minified and gzipped
// (esbuild, tree-shaken, as an app's bundler would include them). Exits 1 over the budget.
// `--json` prints the figures as JSON (the client tests read them).
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";

const USAGE = `usage: npm run size [-- --json]
  The browser bundle of createClient + anonymize, minified and gzipped; exits 1 over the budget.
  --json   print the figures as JSON`;
let values;
try {
  ({ values } = parseArgs({ options: { json: { type: "boolean", default: false }, help: { type: "boolean" } } }));
} catch (err) {
  console.error(`${err.message}\n${USAGE}`);
  process.exit(2);
}
if (values.help) {
  console.log(USAGE);
  process.exit(0);
}

const BUDGET_BYTES = 5 * 1024;
const root = fileURLToPath(new URL("..", import.meta.url));
const result = await build({
  stdin: { contents: 'export { createClient, anonymize } from "./src/index.ts";', resolveDir: root, loader: "ts" },
  bundle: true,
  minify: true,
  format: "esm",
  platform: "browser",
  target: "es2022",
  write: false,
});
const code = result.outputFiles[0].contents;
const figures = { minified: code.byteLength, gzipped: gzipSync(code, { level: 9 }).byteLength, budget: BUDGET_BYTES };
if (values.json) console.log(JSON.stringify(figures));
else {
  const kb = (n) => `${(n / 1024).toFixed(2)} KB`;
  console.log(
    `createClient + anonymize, browser bundle: ${kb(figures.minified)} minified, ${kb(figures.gzipped)} gzipped (budget ${kb(BUDGET_BYTES)})`,
  );
}
if (figures.gzipped > BUDGET_BYTES) {
  console.error(`over the ${BUDGET_BYTES}-byte budget`);
  process.exit(1);
}
