// @ts-check
// wrangler as a child process, for the dev launcher (./wrangler-dev.mjs), the bench and the
// generate script: its environment (no account, no metrics, nothing interactive), its own
// process group so that stopping it stops its workerd too, and the one-shot commands run
// against a local D1 database (migrations, SQL).
import { spawn } from "node:child_process";
import { mkdirSync } from "node:fs";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = fileURLToPath(new URL("../..", import.meta.url));
const WRANGLER = join(ROOT, "node_modules", "wrangler", "bin", "wrangler.js");

/** wrangler's environment: no Cloudflare account is needed locally, nothing interactive. */
export function wranglerEnv() {
  return {
    ...process.env,
    // Don't try to fetch the Request.cf template, nor send metrics.
    CLOUDFLARE_CF_FETCH_ENABLED: "false",
    WRANGLER_SEND_METRICS: "false",
    NO_COLOR: "1",
    CI: process.env.CI ?? "true", // no interactive hotkeys
  };
}

/**
 * Starts wrangler in its own process group (so that stopping it stops its workerd too),
 * collecting stdout and stderr; `output()` returns the last 100–200 KB of both. It runs in the
 * project's folder (where wrangler.toml's [build] command runs) unless `cwd` says otherwise.
 * @param {string[]} args
 * @param {{ cwd?: string }} [options]
 */
export function spawnWrangler(args, { cwd = ROOT } = {}) {
  return spawnNode(WRANGLER, args, { cwd });
}

/**
 * Starts a Node script the way spawnWrangler starts wrangler (its own group, its output kept,
 * stopped with the others): ./dev-server.mjs.
 * @param {string} script
 * @param {string[]} args
 * @param {{ cwd?: string }} [options]
 */
export function spawnNode(script, args, { cwd = ROOT } = {}) {
  const child = spawn(process.execPath, [script, ...args], {
    cwd,
    env: wranglerEnv(),
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  live.add(child);
  child.once("exit", () => live.delete(child));
  let output = "";
  /** @param {Buffer} chunk */
  const keep = (chunk) => {
    output += chunk;
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  return { child, output: () => output };
}

/** Every process spawnNode started that has not exited yet. */
const live = new Set();
// Whatever ends this process (a test file whose setup timed out before it held a handle, an
// uncaught error), nothing it started outlives it: the groups are killed as it exits.
process.once("exit", () => {
  for (const child of live) {
    try {
      process.kill(-(/** @type {number} */ (child.pid)), "SIGKILL");
    } catch {
      // already gone
    }
  }
});

/**
 * Stops every process spawnNode started that is still there (one still starting included,
 * which its caller holds no handle to yet), each with its group. Resolves once all exited.
 */
export async function stopEverySpawned() {
  await Promise.all([...live].map((child) => stopGroup(child)));
}

/**
 * Stops a process started by spawnNode, and its group: SIGTERM, then SIGKILL if it is
 * still there after `graceMs`. Resolves once it exited.
 * @param {import("node:child_process").ChildProcess} child
 */
export async function stopGroup(child, graceMs = 5000) {
  if (child.pid === undefined || child.exitCode !== null || child.signalCode !== null) return;
  const exited = new Promise((resolve) => child.once("exit", resolve));
  const signal = (/** @type {NodeJS.Signals} */ name) => {
    try {
      process.kill(-(/** @type {number} */ (child.pid)), name); // the group detached: true created
    } catch {
      // already gone
    }
  };
  signal("SIGTERM");
  const timer = setTimeout(() => signal("SIGKILL"), graceMs);
  await exited;
  clearTimeout(timer);
}

/**
 * Runs one wrangler command to completion (`d1 execute`, `d1 migrations apply`…), with a time
 * limit, in the project's folder or `cwd`; resolves its output, rejects with the end of it.
 * @param {string[]} args
 * @param {{ timeoutMs?: number, cwd?: string }} [options]
 * @returns {Promise<string>}
 */
export function runWrangler(args, { timeoutMs = 60_000, cwd = ROOT } = {}) {
  return new Promise((resolve, reject) => {
    const { child, output } = spawnWrangler(args, { cwd });
    const timer = setTimeout(() => {
      void stopGroup(child);
      reject(new Error(`wrangler ${args.join(" ")} timed out after ${timeoutMs} ms\n${output().slice(-2000)}`));
    }, timeoutMs);
    child.on("exit", (code) => {
      clearTimeout(timer);
      if (code === 0) resolve(output());
      else reject(new Error(`wrangler ${args.slice(0, 3).join(" ")} exited ${code}\n${output().slice(-3000)}`));
    });
  });
}

/**
 * @typedef {object} LocalDatabase
 * @property {string} [config] a wrangler config other than wrangler.toml
 * @property {string} [database] the D1 database's name (`edgehog`)
 * @property {string} [persistTo] the local state directory (wrangler's default: .wrangler/state)
 */

/** The arguments that point a local D1 command at a config and a state directory. */
function localArgs(/** @type {LocalDatabase} */ { config, persistTo }) {
  if (persistTo) mkdirSync(persistTo, { recursive: true });
  return ["--local", ...(config ? ["--config", config] : []), ...(persistTo ? ["--persist-to", persistTo] : [])];
}

/**
 * Applies the D1 migrations to the local database. Resolves the migrations applied now
 * (none when it was up to date) and wrangler's output, which is long: a table per migration.
 * @param {LocalDatabase} [where]
 */
export async function applyMigrations(where = {}) {
  const output = await runWrangler(["d1", "migrations", "apply", where.database ?? "edgehog", ...localArgs(where)]);
  // wrangler redraws its table as each migration runs: each name appears several times.
  const applied = [...new Set([...output.matchAll(/│ (\S+\.sql)\s+│ ✅/g)].map((m) => m[1]))];
  return { applied, output };
}

/**
 * Runs one SQL file or command on the local database; resolves wrangler's output.
 * @param {LocalDatabase & ({ file: string } | { command: string }) & { json?: boolean }} what
 */
export function executeLocal(what) {
  const source = "file" in what ? ["--file", what.file, "--yes"] : ["--command", what.command];
  return runWrangler([
    "d1",
    "execute",
    what.database ?? "edgehog",
    ...localArgs(what),
    ...(what.json ? ["--json"] : []),
    ...source,
  ]);
}
