#!/usr/bin/env node
// `npm run build`: the client SDK as package.json `exports` publishes it, in dist/:
//   dist/client/index.js        edgehog/client: ES module for Node, Electron and bundlers
//   dist/client/node.js         edgehog/client/node: fileStorage (node:fs), kept out of browser bundles
//   dist/client/edgehog.min.js  the same as index.js, minified, for a page's <script type="module">
//   dist/types/…                the type declarations (tsc), referenced by `exports`
import { spawnSync } from "node:child_process";
import { rmSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { parseCommandLine } from "./lib/cli.mjs";

parseCommandLine(`usage: npm run build
  Builds the client SDK into dist/ (dist/client/index.js, node.js, edgehog.min.js and dist/types).`);

const root = fileURLToPath(new URL("..", import.meta.url));
rmSync(`${root}dist`, { recursive: true, force: true });

const tsc = `${root}node_modules/typescript/bin/tsc`;
for (const project of ["tsconfig.client.json", "tsconfig.client-node.json"]) {
  const run = spawnSync(process.execPath, [tsc, "-p", project], { cwd: root, stdio: "inherit" });
  if (run.status !== 0) process.exit(run.status ?? 1);
}

const common = { bundle: true, format: "esm", target: "es2022", absWorkingDir: root, logLevel: "warning" };
await Promise.all([
  build({ ...common, entryPoints: ["src/client/index.ts"], outfile: "dist/client/index.js", platform: "neutral" }),
  build({ ...common, entryPoints: ["src/client/node.ts"], outfile: "dist/client/node.js", platform: "node" }),
  build({
    ...common,
    entryPoints: ["src/client/index.ts"],
    outfile: "dist/client/edgehog.min.js",
    platform: "browser",
    minify: true,
    sourcemap: true,
  }),
]);
console.log("built dist/client (index.js, node.js, edgehog.min.js) and dist/types");
