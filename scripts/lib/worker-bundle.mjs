// @ts-check
// The Worker as `wrangler deploy` uploads it, built without deploying (`--dry-run --outdir`,
// which runs wrangler.toml's [build] command): for the bundle budgets (scripts/bundle-size.mjs)
// and the cold-start bench (bench/cold-start.mjs). Each module wrangler would upload, with its
// size alone and gzipped alone, and whether a cold start loads it: the main module and the
// modules it imports statically, transitively (read by esbuild's parser from the modules
// themselves); the others are loaded by an `import()` the first time they are needed. The total
// is wrangler's own measure: every module concatenated, gzipped at zlib's default level.
import { existsSync, mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { build } from "esbuild";
import { ROOT, runWrangler } from "./wrangler.mjs";

/**
 * @typedef {object} WorkerModule
 * @property {string} name the module's name in the upload (`index.js`, `chunks/…`)
 * @property {number} bytes its size
 * @property {number} gzipBytes its size gzipped on its own
 * @property {boolean} coldStart whether a cold start loads it (the main module, or imported statically)
 * @property {string[]} imports the modules it imports statically
 * @property {string[]} lazyImports the modules it loads with `import()`
 * @property {Map<string, number>} inputBytes its bytes per source file (paths relative to the
 *   project), when the build's metafile is there (dist/worker.meta.json)
 * @property {string | undefined} entry the source file it was built from, if it is loaded by
 *   `import()` of that file (or the main module)
 */

/**
 * @typedef {object} WorkerBundle
 * @property {string} dir where the bundle was written (removed by `remove`)
 * @property {string} main the main module's name
 * @property {WorkerModule[]} modules every module wrangler would upload, the cold start's first, largest first
 * @property {{ bytes: number, gzipBytes: number }} total what wrangler would upload (gzip: of all of it at once)
 * @property {{ bytes: number, gzipBytes: number, modules: number }} coldStart what a cold start loads (gzip: each module alone, summed)
 * @property {string} wranglerSays wrangler's own "Total Upload" line
 * @property {() => void} remove
 */

/** Every file under `dir`, as paths relative to it. */
function filesUnder(dir, prefix = "") {
  return readdirSync(join(dir, prefix)).flatMap((name) => {
    const path = join(prefix, name);
    return statSync(join(dir, path)).isDirectory() ? filesUnder(dir, path) : [path];
  });
}

/** Each module's static and dynamic imports of other modules, by module name, from esbuild's parse. */
async function importsOf(out, main) {
  const { metafile } = await build({
    absWorkingDir: out,
    entryPoints: [main],
    bundle: true,
    splitting: true,
    format: "esm",
    outdir: join(out, ".imports"),
    write: false,
    metafile: true,
    external: ["node:*", "cloudflare:*"],
    logLevel: "silent",
  });
  /** @type {Map<string, { imports: string[], lazyImports: string[] }>} */
  const graph = new Map();
  for (const [input, { imports }] of Object.entries(metafile.inputs)) {
    const local = imports.filter((i) => !i.external);
    graph.set(input, {
      imports: local.filter((i) => i.kind === "import-statement").map((i) => i.path),
      lazyImports: local.filter((i) => i.kind === "dynamic-import").map((i) => i.path),
    });
  }
  return graph;
}

/**
 * Bundles the Worker of `config` (wrangler.toml by default) as a deploy would. wrangler runs in
 * the config's folder, so that its [build] command builds that checkout.
 * @param {{ config?: string }} [options]
 * @returns {Promise<WorkerBundle>}
 */
export async function buildWorker({ config = join(ROOT, "wrangler.toml") } = {}) {
  const projectRoot = resolve(config, "..");
  const dir = mkdtempSync(join(tmpdir(), "edgehog-bundle-"));
  const out = join(dir, "out");
  const output = await runWrangler(["deploy", "--dry-run", "--config", config, "--outdir", out], {
    timeoutMs: 120_000,
    cwd: projectRoot,
  });
  // What wrangler uploads: every module it wrote; source maps travel beside them, uncounted.
  const names = filesUnder(out).filter((name) => /\.(m?js|wasm)$/.test(name));
  const main = names.includes("index.js") ? "index.js" : (names[0] ?? "index.js");
  const graph = await importsOf(out, main);
  const cold = new Set();
  const visit = (/** @type {string} */ name) => {
    if (cold.has(name)) return;
    cold.add(name);
    for (const next of graph.get(name)?.imports ?? []) visit(next);
  };
  visit(main);

  // Where each module's bytes come from: the build's metafile (dist/worker.meta.json), whose
  // outputs are the modules under dist/worker/.
  const metafile = join(projectRoot, "dist/worker.meta.json");
  const meta = existsSync(metafile) ? JSON.parse(readFileSync(metafile, "utf8")) : { outputs: {} };
  /** @type {WorkerModule[]} */
  const modules = names.map((name) => {
    const content = readFileSync(join(out, name));
    const inputBytes = new Map();
    const built = meta.outputs[`dist/worker/${name}`];
    for (const [input, { bytesInOutput }] of Object.entries(built?.inputs ?? {})) {
      const path = relative(projectRoot, resolve(projectRoot, input));
      inputBytes.set(path, (inputBytes.get(path) ?? 0) + bytesInOutput);
    }
    return {
      name,
      bytes: content.byteLength,
      gzipBytes: gzipSync(content).byteLength,
      coldStart: cold.has(name),
      imports: graph.get(name)?.imports ?? [],
      lazyImports: [...new Set(graph.get(name)?.lazyImports ?? [])],
      inputBytes,
      entry: built?.entryPoint,
    };
  });
  modules.sort((a, b) => Number(b.coldStart) - Number(a.coldStart) || b.bytes - a.bytes);
  const coldModules = modules.filter((m) => m.coldStart);
  return {
    dir,
    main,
    modules,
    total: {
      bytes: modules.reduce((sum, m) => sum + m.bytes, 0),
      // wrangler's order: the other modules, then the main one.
      gzipBytes: gzipSync(
        Buffer.concat([
          ...names.filter((name) => name !== main).map((name) => readFileSync(join(out, name))),
          readFileSync(join(out, main)),
        ]),
      ).byteLength,
    },
    coldStart: {
      bytes: coldModules.reduce((sum, m) => sum + m.bytes, 0),
      gzipBytes: coldModules.reduce((sum, m) => sum + m.gzipBytes, 0),
      modules: coldModules.length,
    },
    wranglerSays: /Total Upload: [^\n]*/.exec(output)?.[0] ?? "",
    remove: () => rmSync(dir, { recursive: true, force: true }),
  };
}

/**
 * The package (or `src/<folder>`) an input of the bundle belongs to.
 * @param {string} input a path relative to the project
 */
export function ownerOf(input) {
  const inPackage = input.split("node_modules/").at(-1) ?? input;
  if (inPackage !== input) {
    const [scope = "", name = ""] = inPackage.split("/");
    return scope.startsWith("@") ? `${scope}/${name}` : scope;
  }
  const folder = /^src\/([^/]+)\//.exec(input);
  return folder ? `src/${folder[1]}` : input;
}
