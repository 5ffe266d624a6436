// @ts-check
// The Worker as `wrangler deploy` uploads it, built without deploying (`--dry-run --outdir`):
// for the bundle budget (scripts/bundle-size.mjs) and the cold-start bench
// (bench/cold-start.mjs). The size is wrangler's own measure: the modules it would upload,
// concatenated and gzipped at zlib's default level; the metafile says where the bytes come from.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, resolve } from "node:path";
import { gzipSync } from "node:zlib";
import { ROOT, runWrangler } from "./wrangler.mjs";

/**
 * @typedef {object} WorkerBundle
 * @property {string} dir where the bundle was written (removed by `remove`)
 * @property {string} main the main module's path
 * @property {number} bytes what wrangler would upload, in bytes
 * @property {number} gzipBytes the same, gzipped as wrangler measures it
 * @property {string} wranglerSays wrangler's own "Total Upload" line
 * @property {Map<string, number>} inputBytes bytes of the bundle per input file (paths relative to the project)
 * @property {() => void} remove
 */

/**
 * Bundles the Worker of `config` (wrangler.toml by default) as a deploy would.
 * @param {{ config?: string }} [options]
 * @returns {Promise<WorkerBundle>}
 */
export async function buildWorker({ config = join(ROOT, "wrangler.toml") } = {}) {
  const dir = mkdtempSync(join(tmpdir(), "edgehog-bundle-"));
  const metafile = join(dir, "meta.json");
  const out = join(dir, "out");
  const output = await runWrangler(
    ["deploy", "--dry-run", "--config", config, "--outdir", out, "--metafile", metafile],
    { timeoutMs: 120_000 },
  );
  // What wrangler uploads: every module it wrote; source maps travel beside them, uncounted.
  const modules = readdirSync(out)
    .filter((name) => /\.(m?js|wasm)$/.test(name))
    .map((name) => readFileSync(join(out, name)));
  const meta = JSON.parse(readFileSync(metafile, "utf8"));
  const projectRoot = resolve(config, "..");
  /** @type {Map<string, number>} */
  const inputBytes = new Map();
  for (const output of Object.values(meta.outputs)) {
    for (const [input, { bytesInOutput }] of Object.entries(output.inputs ?? {})) {
      const path = relative(projectRoot, resolve(projectRoot, input));
      inputBytes.set(path, (inputBytes.get(path) ?? 0) + bytesInOutput);
    }
  }
  return {
    dir,
    main: join(out, "index.js"),
    bytes: modules.reduce((sum, m) => sum + m.byteLength, 0),
    gzipBytes: gzipSync(Buffer.concat(modules)).byteLength,
    wranglerSays: /Total Upload: [^\n]*/.exec(output)?.[0] ?? "",
    inputBytes,
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
