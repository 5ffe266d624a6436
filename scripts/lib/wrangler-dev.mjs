// @ts-check
// The one launcher of `wrangler dev` and of the wrangler commands around it, for `npm start`
// (scripts/start.mjs), the end-to-end and browser tests (test/e2e/wrangler-dev.ts) and the bench
// (bench/lib/wrangler.mjs, whose servers run without wrangler dev's inspector: ./dev-server.mjs).
// What they share lives here: the local persistence directory, the D1 migrations applied first,
// .dev.vars, waiting until the Worker answers, starting again when a port was taken meanwhile or
// the Worker did not answer, and stopping wrangler with its workerd (the wrangler processes and
// one-shot commands themselves: ./wrangler.mjs; free ports and the readiness probe: ./local-net.mjs).
import { appendFileSync, copyFileSync, existsSync, mkdirSync, readFileSync } from "node:fs";
import { join } from "node:path";
import { freePort, probe } from "./local-net.mjs";
import { ROOT, spawnNode, spawnWrangler, stopGroup } from "./wrangler.mjs";

export { freePort, portInUse } from "./local-net.mjs";
export { applyMigrations, executeLocal, ROOT, runWrangler, stopEverySpawned, wranglerEnv } from "./wrangler.mjs";

/**
 * Every limit far above anything one machine can send, the limiter itself still on (it is the
 * production path): the bench's collectors, and `npm start -- --relax-limits` for local load.
 */
const HUGE = "1000000000";
export const RELAXED_RATE_LIMITS = Object.freeze(
  Object.fromEntries(
    ["APP", "CLIENT", "INSTALL", "TENANT", "AUTH_FAILURES"].flatMap((kind) => [
      [`RATE_LIMIT_${kind}_CAPACITY`, HUGE],
      [`RATE_LIMIT_${kind}_PER_SECOND`, HUGE],
    ]),
  ),
);

const NAME = /^[A-Z_][A-Z0-9_]*(?==)/gm;

/**
 * The local secrets of `wrangler dev` (.dev.vars): created from .dev.vars.example when missing;
 * an older file gets the example's secrets added since. Resolves what was done, for a notice.
 */
export function ensureDevVars() {
  const devVars = join(ROOT, ".dev.vars");
  const example = join(ROOT, ".dev.vars.example");
  if (!existsSync(devVars)) {
    copyFileSync(example, devVars);
    return { created: true, added: [] };
  }
  const present = new Set(readFileSync(devVars, "utf8").match(NAME) ?? []);
  const missing = readFileSync(example, "utf8")
    .split("\n")
    .filter((line) => /^[A-Z_][A-Z0-9_]*=/.test(line) && !present.has(line.split("=", 1)[0] ?? ""));
  if (missing.length > 0) appendFileSync(devVars, `\n${missing.join("\n")}\n`);
  return { created: false, added: missing.map((line) => line.split("=", 1)[0] ?? "") };
}

/**
 * @typedef {object} DevOptions
 * @property {string} [name] what the messages call this server
 * @property {string} [config] a wrangler config other than wrangler.toml
 * @property {number} [port] a fixed port (`npm start`); otherwise free ones, and a start again
 *   when one of them was taken before wrangler bound it
 * @property {string} [persistTo] the local state directory (wrangler's default: .wrangler/state)
 * @property {Record<string, string>} [vars] vars and secrets for this run (`--var`)
 * @property {string[]} [args] more `wrangler dev` arguments (`--log-level warn`…)
 * @property {string} [readyPath] polled until it answers below 500 (`/healthz`)
 * @property {number} [timeoutMs] how long it may take to answer
 * @property {boolean} [inspector] false: the Worker without wrangler dev's inspector, which
 *   reports each subrequest to wrangler's process (./dev-server.mjs; the bench's servers).
 *   `args` other than `--log-level <level>` are then not used.
 */

/**
 * @typedef {object} RunningWrangler
 * @property {string} name
 * @property {string} url
 * @property {number} port
 * @property {number} pid wrangler's process, the leader of its group
 * @property {import("node:child_process").ChildProcess} child
 * @property {() => string} output what wrangler printed, the last 100–200 KB
 * @property {number} startupMs
 * @property {() => Promise<void>} stop stops wrangler and its workerd; resolves once they exited
 */

/** Starts of one server when its wrangler dev found one of its ports taken (see startWranglerDev). */
const START_ATTEMPTS = 3;

/** Starts of one server when its wrangler dev did not answer in time (see startWranglerDev). */
const UNANSWERED_START_ATTEMPTS = 2;

/** wrangler dev did not answer in time (and was stopped): worth one more start. */
class StartTimeout extends Error {}

/**
 * Starts `wrangler dev` on 127.0.0.1 and resolves once `readyPath` answers. Free ports are
 * found free and then released, so a wrangler starting beside this one may bind one of them
 * first: when wrangler dev exits with "Address already in use", it is started again on new
 * ports, up to three times. With a fixed port, that is an error saying what to do. A wrangler
 * dev that did not answer within `timeoutMs` is stopped and started once more (a start stalled
 * on a machine busy starting many things), each time saying so with what it had printed.
 * @param {DevOptions} options
 * @returns {Promise<RunningWrangler>}
 */
export async function startWranglerDev(options) {
  let taken = 0;
  let unanswered = 0;
  for (;;) {
    try {
      return await startOnce(options);
    } catch (err) {
      const message = String(err instanceof Error ? err.message : err);
      const name = options.name ?? "wrangler dev";
      if (message.includes("Address already in use")) {
        if (options.port !== undefined || ++taken >= START_ATTEMPTS) throw err;
        console.error(`${name}: a port was taken before wrangler dev bound it; starting it again`);
      } else if (err instanceof StartTimeout) {
        if (++unanswered >= UNANSWERED_START_ATTEMPTS) throw err;
        console.error(`${message}\n${name}: starting it again`);
      } else {
        throw err;
      }
    }
  }
}

const DEV_SERVER = join(ROOT, "scripts", "lib", "dev-server.mjs");

/** The value of `--log-level` in `args`, if any. @param {string[]} args */
function logLevelOf(args) {
  const at = args.indexOf("--log-level");
  return at < 0 ? undefined : args[at + 1];
}

/**
 * `wrangler dev` itself, with its inspector on a port of its own unless the port is fixed.
 * @param {{ config?: string, port: number, fixedPort?: number, persistTo?: string, vars: Record<string, string>, args: string[] }} options
 */
async function spawnWranglerDev({ config, port, fixedPort, persistTo, vars, args }) {
  return spawnWrangler([
    "dev",
    ...(config ? ["--config", config] : []),
    "--ip",
    "127.0.0.1",
    "--port",
    String(port),
    // Servers starting side by side each need their own inspector port too.
    ...(fixedPort === undefined ? ["--inspector-port", String(await freePort())] : []),
    ...(persistTo ? ["--persist-to", persistTo] : []),
    "--show-interactive-dev-session=false",
    ...args,
    ...Object.entries(vars).flatMap(([key, value]) => ["--var", `${key}:${value}`]),
  ]);
}

/** How long one readiness probe may take. */
const PROBE_MS = 2000;

/** @param {DevOptions} options @returns {Promise<RunningWrangler>} */
async function startOnce({
  name = "wrangler dev",
  config,
  port: fixedPort,
  persistTo,
  vars = {},
  args = [],
  readyPath = "/healthz",
  timeoutMs = 60_000,
  inspector = true,
}) {
  const port = fixedPort ?? (await freePort());
  if (persistTo) mkdirSync(persistTo, { recursive: true });
  const { child, output } = inspector
    ? await spawnWranglerDev({ config, port, fixedPort, persistTo, vars, args })
    : spawnNode(DEV_SERVER, [
        JSON.stringify({
          config: config ?? join(ROOT, "wrangler.toml"),
          ip: "127.0.0.1",
          port,
          persistTo,
          vars,
          logLevel: logLevelOf(args),
        }),
      ]);
  const url = `http://127.0.0.1:${port}`;
  const started = Date.now();
  /** @type {RunningWrangler} */
  const running = {
    name,
    url,
    port,
    pid: /** @type {number} */ (child.pid),
    child,
    output,
    startupMs: 0,
    stop: () => stopGroup(child),
  };
  const exited = () => child.exitCode !== null || child.signalCode !== null;
  let probes = 0;
  let last = "no probe yet";
  while (Date.now() - started < timeoutMs) {
    if (exited()) {
      throw new Error(
        `${name}: wrangler dev exited (${child.exitCode ?? child.signalCode}) before it answered\n${output().slice(-3000)}`,
      );
    }
    const outcome = await probe(url + readyPath, PROBE_MS);
    probes += 1;
    if (typeof outcome === "number" && outcome < 500) {
      running.startupMs = Date.now() - started;
      return running;
    }
    last = typeof outcome === "number" ? `answered ${outcome}` : outcome;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
  await running.stop();
  const printed = output();
  throw new StartTimeout(
    `${name}: wrangler dev (pid ${running.pid}) did not answer ${readyPath} within ${timeoutMs} ms ` +
      `(probes: ${probes}, the last: ${last})\n` +
      (printed ? printed.slice(-3000) : "(it printed nothing)"),
  );
}
