#!/usr/bin/env node
// @ts-check
// The Worker as the ES modules Cloudflare runs: wrangler.toml's `[build]` command, which
// `wrangler dev` (npm start, the end-to-end tests, the bench) and `wrangler deploy` run before
// they upload dist/worker/ as it is (`no_bundle`, every .js file a module of its own). esbuild
// bundles src/index.ts with code splitting: what the Worker imports statically is the main module
// and the chunks it imports, which a cold start loads and compiles; every `import()` in the code
// (the prehog door, the operator API, the dashboard, the queue consumers, the cron, the Parquet
// reader…) is a module of its own that workerd loads the first time it runs. npm run size:worker
// holds both figures to their budgets (docs/PERFORMANCE.md, "The bundle").
//
// Minified (under half the bytes to load), without esbuild's function-name wrappers, each module
// with its source map beside it (wrangler uploads them: Cloudflare's stack traces name our files,
// lines and functions). "zod" is the collector's zod (src/lib/zod.ts: zod without its
// error-message locales), as for the tests and the compiler.
//
// Several wrangler processes may build at once (the end-to-end tests start one each): a file is
// written only when its bytes changed, through a temporary name and a rename, so a reader never
// sees half a module, and a Worker running from dist/ is not reloaded by a build that changed
// nothing. Files of earlier builds are removed. The metafile (dist/worker.meta.json, outside the
// uploaded folder) says which sources each module holds.
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from "node:fs";
import { dirname, join, relative } from "node:path";
import { fileURLToPath } from "node:url";
import { build } from "esbuild";
import { parseCommandLine } from "./lib/cli.mjs";

parseCommandLine(`usage: node scripts/build-worker.mjs   (wrangler dev and wrangler deploy run it: wrangler.toml [build])
  Builds the Worker from src/index.ts into the ES modules wrangler uploads, in dist/worker/ (minified,
  split at every import(), each with its source map), and its metafile, dist/worker.meta.json.`);

const ROOT = fileURLToPath(new URL("..", import.meta.url));
const OUT_DIR = join(ROOT, "dist/worker");
const METAFILE = join(ROOT, "dist/worker.meta.json");

const result = await build({
  absWorkingDir: ROOT,
  entryPoints: ["src/index.ts"],
  outdir: OUT_DIR,
  entryNames: "[name]",
  chunkNames: "chunks/[name]-[hash]",
  bundle: true,
  splitting: true,
  format: "esm",
  // What wrangler's own bundling targets: workerd's V8, and the packages' Workers builds.
  target: "es2024",
  conditions: ["workerd", "worker", "browser"],
  // Built into workerd (nodejs_compat gives node:zlib).
  external: ["node:*", "cloudflare:*"],
  define: { "process.env.NODE_ENV": '"production"' },
  minify: true,
  keepNames: false,
  sourcemap: "linked",
  metafile: true,
  write: false,
  logLevel: "warning",
  plugins: [
    {
      name: "collector-zod",
      setup(build) {
        build.onResolve({ filter: /^zod$/ }, () => ({ path: join(ROOT, "src/lib/zod.ts") }));
      },
    },
    {
      // hyparquet-writer takes two functions of hyparquet (the reader) from its index, which
      // imports all of the reader: they are taken from the files that define them, so the
      // consumer, which only writes, loads none of the reader (it stays with the exports'
      // module). An export missing from them fails the build.
      name: "parquet-writer-without-reader",
      setup(build) {
        build.onResolve({ filter: /^hyparquet$/ }, (args) =>
          args.importer.includes("/node_modules/hyparquet-writer/")
            ? { path: "hyparquet (the writer's imports)", namespace: "parquet-writer" }
            : undefined,
        );
        build.onLoad({ filter: /.*/, namespace: "parquet-writer" }, () => ({
          contents: `export { parquetSchema } from "hyparquet/src/metadata.js";
export { toJson } from "hyparquet/src/utils.js";`,
          resolveDir: ROOT,
        }));
      },
    },
  ],
});

/** Writes `bytes` to `path` unless it holds them already, through a temporary name. */
function writeIfChanged(path, bytes) {
  if (existsSync(path) && Buffer.compare(readFileSync(path), bytes) === 0) return false;
  mkdirSync(dirname(path), { recursive: true });
  const temporary = `${path}.${process.pid}.tmp`;
  writeFileSync(temporary, bytes);
  renameSync(temporary, path);
  return true;
}

/** Every file under `dir`, as paths. */
function filesUnder(dir) {
  if (!existsSync(dir)) return [];
  return readdirSync(dir, { withFileTypes: true }).flatMap((entry) => {
    const path = join(dir, entry.name);
    return entry.isDirectory() ? filesUnder(path) : [path];
  });
}

const written = new Set();
let changed = 0;
for (const file of result.outputFiles) {
  written.add(file.path);
  if (writeIfChanged(file.path, Buffer.from(file.contents))) changed++;
}
for (const path of filesUnder(OUT_DIR)) {
  // Another build's temporary file is left to its rename.
  if (!written.has(path) && !path.endsWith(".tmp")) rmSync(path, { force: true });
}
writeIfChanged(METAFILE, Buffer.from(JSON.stringify(result.metafile)));
const modules = result.outputFiles.filter((file) => file.path.endsWith(".js")).length;
console.log(`the Worker: ${modules} modules in ${relative(ROOT, OUT_DIR)}/ (${changed} files changed)`);
