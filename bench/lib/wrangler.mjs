// Starts and stops `wrangler dev` on 127.0.0.1 for the bench, each with its own config, port
// and persisted state directory (never the developer's .wrangler/state).
import { spawn } from "node:child_process";
import * as _fs from "node:fs";
import { mkdirSync, writeFileSync } from "node:fs";
import { createServer } from "node:net";
import { dirname, join, resolve } from "node:path";
import { fileURLToPath } from "node:url";

export const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "../..");
const WRANGLER = join(ROOT, "node_modules", "wrangler", "bin", "wrangler.js");

const wranglerEnv = () => ({
  ...process.env,
  CLOUDFLARE_CF_FETCH_ENABLED: "false",
  WRANGLER_SEND_METRICS: "false",
  NO_COLOR: "1",
  CI: process.env.CI ?? "true", // no interactive hotkeys
});

/** Ports handed out in this run: the OS may offer a released port again to the next caller. */
const handedOut = new Set();

/**
 * A free TCP port on 127.0.0.1 (asked from the OS, then released), never one this run already
 * handed out: servers starting in parallel would otherwise get the same port (one's HTTP port,
 * another's inspector), and the readiness check would reach the wrong server.
 */
export async function freePort() {
  for (;;) {
    const port = await new Promise((ok, fail) => {
      const server = createServer();
      server.once("error", fail);
      server.listen(0, "127.0.0.1", () => {
        const { port: given } = server.address();
        server.close(() => ok(given));
      });
    });
    if (!handedOut.has(port)) {
      handedOut.add(port);
      return port;
    }
  }
}

/**
 * Starts wrangler in its own process group (so it can be stopped with its workerd children),
 * collecting stdout and stderr; `output()` returns the last ~100-200 KB of it.
 */
function spawnWrangler(args) {
  const child = spawn(process.execPath, [WRANGLER, ...args], {
    cwd: ROOT,
    env: wranglerEnv(),
    stdio: ["ignore", "pipe", "pipe"],
    detached: true,
  });
  let output = "";
  const keep = (d) => {
    output += d;
    if (output.length > 200_000) output = output.slice(-100_000);
  };
  child.stdout.on("data", keep);
  child.stderr.on("data", keep);
  return { child, output: () => output };
}

/** Runs wrangler once to completion (e.g. `d1 execute`), with a time limit. */
export function runWrangler(args, { timeoutMs = 60_000 } = {}) {
  return new Promise((ok, fail) => {
    const { child, output } = spawnWrangler(args);
    const timer = setTimeout(() => {
      killGroup(child);
      fail(new Error(`wrangler ${args.join(" ")} timed out after ${timeoutMs} ms\n${output().slice(-2000)}`));
    }, timeoutMs);
    child.on("exit", (code) => {
      clearTimeout(timer);
      if (code === 0) ok(output());
      else fail(new Error(`wrangler ${args.slice(0, 3).join(" ")} exited ${code}\n${output().slice(-2000)}`));
    });
  });
}

/** Applies a schema file to the local D1 database `database` of `config` under `persistTo`. */
export function applySchema({ config, database, persistTo, file }) {
  mkdirSync(persistTo, { recursive: true });
  return runWrangler([
    "d1",
    "execute",
    database,
    "--local",
    "--config",
    config,
    "--persist-to",
    persistTo,
    "--file",
    file,
    "--yes",
  ]);
}

/** Applies the D1 migrations of `config` to its local database `database` under `persistTo`. */
export function applyMigrations({ config, database, persistTo }) {
  mkdirSync(persistTo, { recursive: true });
  return runWrangler(["d1", "migrations", "apply", database, "--local", "--config", config, "--persist-to", persistTo]);
}

/**
 * Runs one SQL command on the local D1 database `database` of `config` under `persistTo` and
 * returns the rows of its last statement. Use it before the server starts or after it stopped.
 */
export async function d1Execute({ config, database, persistTo, sql }) {
  const output = await runWrangler([
    "d1",
    "execute",
    database,
    "--local",
    "--config",
    config,
    "--persist-to",
    persistTo,
    "--json",
    "--command",
    sql,
  ]);
  const start = output.indexOf("[");
  if (start < 0) throw new Error(`d1 execute: no JSON in its output\n${output.slice(-2000)}`);
  const parsed = JSON.parse(output.slice(start));
  return parsed[parsed.length - 1]?.results ?? [];
}

function killGroup(child, signal = "SIGTERM") {
  if (child.exitCode !== null || child.signalCode !== null) return;
  try {
    process.kill(-child.pid, signal); // the group we created with detached: true
  } catch {
    /* already gone */
  }
}

/** Starts of one server, when its wrangler dev found one of its ports taken (see startWorker). */
const START_ATTEMPTS = 3;

/**
 * Starts `wrangler dev` and resolves once `readyPath` answers, or rejects after `timeoutMs`.
 * Returns { name, url, port, stop(), logs() }. The ports are found free and then released, so
 * a wrangler starting beside this one may bind one of them for its own sockets first: when
 * wrangler dev exits with "Address already in use", it is started again on new ports.
 */
export async function startWorker(options) {
  for (let attempt = 1; ; attempt++) {
    try {
      return await startWorkerOnce(options);
    } catch (err) {
      if (attempt >= START_ATTEMPTS || !String(err?.message).includes("Address already in use")) throw err;
      console.error(`[bench] ${options.name}: a port was taken before wrangler dev bound it; starting it again`);
    }
  }
}

async function startWorkerOnce({ name, config, persistTo, vars = {}, readyPath = "/", timeoutMs = 60_000 }) {
  const port = await freePort();
  mkdirSync(persistTo, { recursive: true });
  const args = [
    "dev",
    "--config",
    config,
    "--ip",
    "127.0.0.1",
    "--port",
    String(port),
    "--inspector-port",
    String(await freePort()),
    "--persist-to",
    persistTo,
    "--log-level",
    "warn",
    "--show-interactive-dev-session=false",
    "--live-reload=false",
  ];
  for (const [k, v] of Object.entries(vars)) args.push("--var", `${k}:${v}`);
  const { child, output } = spawnWrangler(args);
  let exited = null;
  child.on("exit", (code, signal) => {
    exited = { code, signal };
  });

  const url = `http://127.0.0.1:${port}`;
  const worker = {
    name,
    url,
    port,
    pid: child.pid,
    logs: output,
    async stop() {
      saveLog(name, output());
      if (exited) return;
      killGroup(child, "SIGTERM");
      const deadline = Date.now() + 5000;
      while (!exited && Date.now() < deadline) await sleep(50);
      if (!exited) killGroup(child, "SIGKILL");
    },
  };

  const started = Date.now();
  while (Date.now() - started < timeoutMs) {
    if (exited)
      throw new Error(
        `${name}: wrangler dev exited (${exited.code ?? exited.signal}) before it was ready\n${output().slice(-3000)}`,
      );
    try {
      const res = await fetch(url + readyPath, { signal: AbortSignal.timeout(2000) });
      await res.arrayBuffer();
      if (res.status < 500) {
        worker.startupMs = Date.now() - started;
        return worker;
      }
    } catch {
      /* not listening yet */
    }
    await sleep(200);
  }
  await worker.stop();
  throw new Error(`${name}: not ready after ${timeoutMs} ms\n${output().slice(-3000)}`);
}

export const sleep = (ms) => new Promise((ok) => setTimeout(ok, ms));

/** CPU seconds used so far by a process and all its descendants (Linux /proc; null elsewhere). */
export function treeCpuSeconds(rootPid) {
  try {
    const { readdirSync, readFileSync } = _fs;
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
    for (const pid of inTree) ticks += stats.get(pid)?.cpu ?? 0;
    return ticks / 100; // USER_HZ
  } catch {
    return null;
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
