// The bench's servers: wrangler's local dev server on 127.0.0.1 through the project's one launcher
// (scripts/lib/wrangler-dev.mjs), without the inspector wrangler dev attaches
// (scripts/lib/dev-server.mjs says why), each with its own config, port and persisted state directory
// (never the developer's .wrangler/state), its output kept in bench/results/logs/<name>.log.
import { mkdirSync, readdirSync, readFileSync, writeFileSync } from "node:fs";
import { join } from "node:path";
import {
  applyMigrations as apply,
  executeLocal,
  ROOT,
  startWranglerDev,
  stopEverySpawned,
} from "../../scripts/lib/wrangler-dev.mjs";

export { ROOT, stopEverySpawned };

/** Applies a schema file to the local D1 database `database` of `config` under `persistTo`. */
export function applySchema({ config, database, persistTo, file }) {
  return executeLocal({ config, database, persistTo, file });
}

/** Applies the D1 migrations of `config` to its local database `database` under `persistTo`. */
export function applyMigrations({ config, database, persistTo }) {
  return apply({ config, database, persistTo });
}

/**
 * Runs one SQL command on the local D1 database `database` of `config` under `persistTo` and
 * returns the rows of its last statement. Use it before the server starts or after it stopped.
 */
export async function d1Execute({ config, database, persistTo, sql }) {
  const output = await executeLocal({ config, database, persistTo, command: sql, json: true });
  const start = output.indexOf("[");
  if (start < 0) throw new Error(`d1 execute: no JSON in its output\n${output.slice(-2000)}`);
  const parsed = JSON.parse(output.slice(start));
  return parsed[parsed.length - 1]?.results ?? [];
}

/**
 * Starts a Worker quietly (warnings only, no live reload, no inspector) and resolves once `readyPath`
 * answers. Returns { name, url, port, pid, startupMs, stop(), logs() }; stop() keeps the log.
 */
export async function startWorker({ name, config, persistTo, vars = {}, readyPath = "/", timeoutMs = 60_000 }) {
  const dev = await startWranglerDev({
    name: `[bench] ${name}`,
    config,
    persistTo,
    vars,
    readyPath,
    timeoutMs,
    args: ["--log-level", "warn"],
    // No inspector: wrangler dev's reports every subrequest (each local D1 query) to its Node
    // process, a cost no deployed Worker pays and one the baselines would pay per request.
    inspector: false,
  });
  return {
    name,
    url: dev.url,
    port: dev.port,
    pid: dev.pid,
    startupMs: dev.startupMs,
    logs: dev.output,
    async stop() {
      saveLog(name, dev.output());
      await dev.stop();
    },
  };
}

export const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

/**
 * CPU seconds used so far by a process and all its descendants (Linux /proc; null elsewhere);
 * with `onlyName`, by those of them whose command is that name (e.g. "workerd").
 */
export function treeCpuSeconds(rootPid, onlyName) {
  try {
    const stats = new Map();
    for (const entry of readdirSync("/proc")) {
      if (!/^\d+$/.test(entry)) continue;
      try {
        const text = readFileSync(`/proc/${entry}/stat`, "utf8");
        const fields = text.slice(text.lastIndexOf(")") + 2).split(" ");
        stats.set(Number(entry), { ppid: Number(fields[1]), cpu: Number(fields[11]) + Number(fields[12]) });
      } catch {
        /* exited meanwhile */
      }
    }
    const inTree = new Set([rootPid]);
    let grew = true;
    while (grew) {
      grew = false;
      for (const [pid, s] of stats) {
        if (!inTree.has(pid) && inTree.has(s.ppid)) {
          inTree.add(pid);
          grew = true;
        }
      }
    }
    let ticks = 0;
    for (const pid of inTree) {
      if (onlyName && commandOf(pid) !== onlyName) continue;
      ticks += stats.get(pid)?.cpu ?? 0;
    }
    return ticks / 100; // USER_HZ
  } catch {
    return null;
  }
}

function commandOf(pid) {
  try {
    return readFileSync(`/proc/${pid}/comm`, "utf8").trim();
  } catch {
    return undefined;
  }
}

/**
 * Waits until a worker's process tree is (nearly) idle: under `maxBusy` of one core over a
 * 500 ms window, e.g. once a queue consumer has drained its backlog. Bounded by `timeoutMs`;
 * resolves with the seconds waited.
 */
export async function waitIdle(worker, { timeoutMs = 30_000, maxBusy = 0.1 } = {}) {
  const started = Date.now();
  let before = treeCpuSeconds(worker.pid);
  if (before === null) return 0;
  while (Date.now() - started < timeoutMs) {
    await sleep(500);
    const now = treeCpuSeconds(worker.pid);
    if (now - before < 0.5 * maxBusy) break;
    before = now;
  }
  return (Date.now() - started) / 1000;
}

/**
 * Keeps each Worker's output in bench/results/logs/<name>.log, so that an error seen by the
 * load generator (a 5xx, say) can be traced to what the Worker printed.
 */
function saveLog(name, output) {
  try {
    const dir = join(ROOT, "bench/results/logs");
    mkdirSync(dir, { recursive: true });
    writeFileSync(join(dir, `${name}.log`), output);
  } catch {
    // A log that cannot be written must not fail the run.
  }
}
