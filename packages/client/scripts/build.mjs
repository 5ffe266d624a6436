#!/usr/bin/env node
// `npm run build` (and `prepare`, so that `npm pack` and an install from git build it): the
// package as its `exports` publish it, in dist/:
//   dist/esm/index.js, node.js   edgehog/client and edgehog/client/node as ES modules (import)
//   dist/esm/cli-send.js         the CLI mode's background sender (a Node script)
//   dist/cjs/…                   the same as CommonJS (require), with a package.json saying so
//   dist/{esm,cjs}/*.d.ts        the declarations (tsc), ESM and CommonJS flavours
//   dist/edgehog.min.js          edgehog/client minified, for a page's <script type="module">
import { spawnSync } from "node:child_process";
import { cpSync, mkdirSync, rmSync, writeFileSync } from "node:fs";
import { createRequire } from "node:module";
import { fileURLToPath } from "node:url";
import { parseArgs } from "node:util";
import { build } from "esbuild";

const USAGE = `usage: npm run build
  Builds the SDK into dist/ (esm/, cjs/, edgehog.min.js): tsc for the declarations, esbuild for the JavaScript.`;
try {
  if (parseArgs({ options: { help: { type: "boolean" } } }).values.help) {
    console.log(USAGE);
    process.exit(0);
  }
} catch (err) {
  console.error(`${err.message}\n${USAGE}`);
  process.exit(2);
}

const root = fileURLToPath(new URL("..", import.meta.url));
rmSync(`${root}dist`, { recursive: true, force: true });

// tsconfig.json checks that the browser entry uses no Node API; tsconfig.node.json emits every declaration.
const tsc = createRequire(import.meta.url).resolve("typescript/bin/tsc");
for (const args of [
  ["-p", "tsconfig.json", "--noEmit"],
  ["-p", "tsconfig.node.json"],
]) {
  const run = spawnSync(process.execPath, [tsc, ...args], { cwd: root, stdio: "inherit" });
  if (run.status !== 0) process.exit(run.status ?? 1);
}
// CommonJS declarations: the same files under a package.json that makes them CommonJS.
cpSync(`${root}dist/esm`, `${root}dist/cjs`, { recursive: true });
writeFileSync(`${root}dist/cjs/package.json`, `${JSON.stringify({ type: "commonjs" })}\n`);

const common = { bundle: true, target: "es2022", absWorkingDir: root, logLevel: "warning" };
// The CLI mode finds its sender beside itself: import.meta.url in ESM, __filename in CommonJS.
const cjs = { ...common, format: "cjs", logOverride: { "empty-import-meta": "silent" } };
mkdirSync(`${root}dist`, { recursive: true });
await Promise.all([
  build({ ...common, format: "esm", entryPoints: ["src/index.ts"], outfile: "dist/esm/index.js", platform: "neutral" }),
  build({ ...common, format: "esm", entryPoints: ["src/node.ts"], outfile: "dist/esm/node.js", platform: "node" }),
  build({
    ...common,
    format: "esm",
    entryPoints: ["src/cli/send.ts"],
    outfile: "dist/esm/cli-send.js",
    platform: "node",
  }),
  build({ ...cjs, entryPoints: ["src/index.ts"], outfile: "dist/cjs/index.js", platform: "neutral" }),
  build({ ...cjs, entryPoints: ["src/cli/send.ts"], outfile: "dist/cjs/cli-send.js", platform: "node" }),
  build({ ...cjs, entryPoints: ["src/node.ts"], outfile: "dist/cjs/node.js", platform: "node" }),
  build({
    ...common,
    format: "esm",
    entryPoints: ["src/index.ts"],
    outfile: "dist/edgehog.min.js",
    platform: "browser",
    minify: true,
    sourcemap: true,
  }),
]);
console.log("built dist/ (esm/, cjs/, edgehog.min.js)");
