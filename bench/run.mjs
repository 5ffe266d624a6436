#!/usr/bin/env node
// `npm run bench [-- --quick | --smoke] [options]`: edgehog against baseline Workers, in the
// same run, on the same runtime (wrangler dev / workerd on 127.0.0.1). See docs/BENCHMARKS.md.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { exitWithUsage, parseCommandLine } from "../scripts/lib/cli.mjs";
import { batchTemplate } from "./lib/payload.mjs";
import { printTable } from "./lib/report.mjs";
import { serverDefs as builtinServers, startServer } from "./lib/servers.mjs";
import { ROOT, stopEverySpawned } from "./lib/wrangler.mjs";

const USAGE = `usage: npm run bench -- [--quick | --smoke] [options]
  (default: full)   ingest 4×10 s A/B/C, e2e 200,000 events, sustained 60 s, ratelimit 4×10 s A/B,
                    consumer 30 deliveries into 1 M events, usage 10 s + 3,000 requests, storage 100,000 events
  --quick           ingest 2×3 s, e2e 20,000 events, sustained 5 s, ratelimit 2×2 s, consumer 10
                    deliveries into 200,000, usage 2 s + 200, storage 20,000
  --smoke           ingest 1×1 s, e2e 2,000 events, sustained 2 s, consumer 2 small deliveries,
                    usage 1 s + 50, storage 2,000 (CI: non-zero exit on loss or any non-2xx)
  --only=a,b        run only these scenarios (ingest, e2e, sustained, ratelimit, consumer, usage,
                    storage; opt-in: stages, and ratelimit in --smoke)
  --skip=a,b        skip these scenarios
  --sustained       shorthand for --only=ingest,sustained
  --events=N        e2e event count            --concurrency=N  e2e client concurrency (12)
  --connections=N   autocannon connections (10) --rate=N         sustained requests/s
  --naive-events=N  events for the naive baseline (full 20,000, quick 2,000, smoke 500)
  --e2e-shape=S     e2e bodies: clients (default: each from one install, two per install) or
                    shared (every body from the same 40 installs, stamped with the same seconds)
  --prefill=N       events the consumer scenario's database holds before it is timed
  --sustained-seconds=N                         --keep-state     keep the wrangler state dir
  --out=PATH        JSON output (bench/results/latest.json)
  (options take their value after = or a space: --only=ingest or --only ingest)`;

/** The bench's options from its command line (exits 0 on --help, 2 on a mistake). */
function benchOptions(args) {
  const number = { type: "string" };
  const { values } = parseCommandLine(USAGE, {
    args,
    options: {
      quick: { type: "boolean", default: false },
      smoke: { type: "boolean", default: false },
      full: { type: "boolean", default: false },
      only: { type: "string" },
      skip: { type: "string" },
      sustained: { type: "boolean", default: false },
      events: number,
      concurrency: number,
      connections: number,
      rate: number,
      "naive-events": number,
      "e2e-shape": { type: "string", default: "clients" },
      prefill: number,
      "sustained-seconds": number,
      "keep-state": { type: "boolean", default: false },
      out: { type: "string", default: join(ROOT, "bench/results/latest.json") },
    },
  });
  const modes = ["quick", "smoke", "full"].filter((mode) => values[mode]);
  if (modes.length > 1) exitWithUsage(USAGE, `choose one of --${modes.join(", --")}`);
  if (values.sustained && values.only) exitWithUsage(USAGE, "--sustained is --only=ingest,sustained: give one of them");
  const positive = (name) => {
    if (values[name] === undefined) return undefined;
    const n = Number(values[name]);
    if (!Number.isFinite(n) || n <= 0) exitWithUsage(USAGE, `--${name} needs a positive number`);
    return n;
  };
  if (!["clients", "shared"].includes(values["e2e-shape"])) exitWithUsage(USAGE, "--e2e-shape is clients or shared");
  const list = (name) => values[name]?.split(",").filter(Boolean);
  return {
    mode: modes[0] ?? "full",
    connections: positive("connections") ?? 10,
    concurrency: positive("concurrency") ?? 12,
    only: values.sustained ? ["ingest", "sustained"] : (list("only") ?? null),
    skip: list("skip") ?? [],
    events: positive("events"),
    rate: positive("rate"),
    naiveEvents: positive("naive-events"),
    e2eShape: values["e2e-shape"],
    prefill: positive("prefill"),
    sustainedSeconds: positive("sustained-seconds"),
    keepState: values["keep-state"],
    out: values.out,
  };
}

/** Every bench/scenarios/*.mjs is a scenario: drop a module in to add one (see its README). */
async function loadScenarios() {
  const dir = join(ROOT, "bench/scenarios");
  const files = readdirSync(dir)
    .filter((f) => f.endsWith(".mjs"))
    .sort();
  const scenarios = [];
  for (const f of files) {
    const mod = await import(pathToFileURL(join(dir, f)).href);
    const s = mod.default;
    if (!s?.name || typeof s.run !== "function")
      throw new Error(`bench/scenarios/${f}: default export needs { name, run }`);
    scenarios.push({ order: 100, servers: [], serverDefs: {}, modes: ["full", "quick", "smoke"], ...s, file: f });
  }
  return scenarios.sort((a, b) => a.order - b.order || a.name.localeCompare(b.name));
}

function machine() {
  const version = (pkg) => {
    try {
      return JSON.parse(readFileSync(join(ROOT, "node_modules", pkg, "package.json"), "utf8")).version;
    } catch {
      return null;
    }
  };
  let commit = null;
  try {
    commit = execFileSync("git", ["rev-parse", "--short", "HEAD"], { cwd: ROOT, encoding: "utf8" }).trim();
  } catch {
    /* not a git checkout */
  }
  return {
    cpu: os.cpus()[0]?.model ?? "unknown",
    cores: os.availableParallelism?.() ?? os.cpus().length,
    memory_gb: Math.round(os.totalmem() / 2 ** 30),
    platform: `${os.platform()} ${os.release()} ${os.arch()}`,
    node: process.version,
    wrangler: version("wrangler"),
    workerd: version("workerd"),
    autocannon: version("autocannon"),
    commit,
  };
}

const started = Date.now();
const log = (msg) => console.log(`[bench ${((Date.now() - started) / 1000).toFixed(1).padStart(5)}s] ${msg}`);

async function main() {
  const options = benchOptions(process.argv.slice(2));
  const all = await loadScenarios();
  const scenarios = all.filter(
    (s) =>
      s.modes.includes(options.mode) &&
      // optIn: true (every mode) or a list of modes: then the scenario runs only when named in --only.
      (options.only ? options.only.includes(s.name) : !(s.optIn === true || s.optIn?.includes?.(options.mode))) &&
      !options.skip.includes(s.name),
  );
  if (scenarios.length === 0) throw new Error(`no scenario selected (have: ${all.map((s) => s.name).join(", ")})`);

  const defs = { ...builtinServers };
  for (const s of scenarios) Object.assign(defs, s.serverDefs);
  const needed = [...new Set(scenarios.flatMap((s) => s.servers))];
  const stateDir = mkdtempSync(join(os.tmpdir(), "edgehog-bench-"));
  const servers = {};
  let exitCode = 0;

  const stopAll = async () => {
    await Promise.all(Object.values(servers).map((w) => w.stop()));
    // A Worker still starting (the watchdog fired, or a signal came, mid-start) has no entry yet.
    await stopEverySpawned();
    if (!options.keepState) rmSync(stateDir, { recursive: true, force: true });
  };
  const onSignal = async () => {
    await stopAll();
    process.exit(130);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  // Every run is bounded: whatever hangs, the servers are stopped and the run fails.
  // Smoke starts every Worker on whatever machine runs CI: generous, it is a check that nothing
  // rotted, not a timing.
  const budgetMs = { full: 30 * 60_000, quick: 5 * 60_000, smoke: 10 * 60_000 }[options.mode];
  const watchdog = setTimeout(async () => {
    console.error(`bench: over its ${budgetMs / 1000} s budget, giving up`);
    await stopAll();
    process.exit(3);
  }, budgetMs);
  watchdog.unref();

  log(
    `mode ${options.mode}: scenarios ${scenarios.map((s) => s.name).join(", ")}; starting ${needed.join(", ")} (state in ${stateDir})`,
  );
  // At most STARTING at a time: a dozen wrangler devs building at once on two cores each wait
  // for the others, and every start is slower than the queue of them.
  const STARTING = 3;
  const queue = [...needed];
  const startups = [];
  await Promise.all(
    Array.from({ length: Math.min(STARTING, queue.length) }, async () => {
      for (let name = queue.shift(); name !== undefined; name = queue.shift()) {
        const server = name;
        const started = await Promise.allSettled([
          (async () => {
            if (!defs[server]) throw new Error(`no server definition "${server}"`);
            servers[server] = await startServer(server, defs[server], stateDir);
            return servers[server];
          })(),
        ]);
        startups.push(...started);
      }
    }),
  );
  const failed = startups.filter((r) => r.status === "rejected");
  if (failed.length > 0) {
    for (const f of failed) console.error(`bench: a server failed to start: ${f.reason?.message ?? f.reason}`);
    await stopAll();
    process.exit(2);
  }
  log(`ready: ${needed.map((n) => `${n} ${(servers[n].readyMs / 1000).toFixed(1)} s`).join(", ")}`);

  const template = batchTemplate({ count: 100 });
  log(`payload: ${template.count} events, ${template.bytes} bytes`);
  const results = {};
  const ctx = {
    options,
    servers,
    results,
    template,
    log,
    async stopServer(name) {
      await servers[name]?.stop();
    },
  };
  for (const [i, s] of scenarios.entries()) {
    const t0 = Date.now();
    try {
      results[s.name] = await s.run(ctx);
      results[s.name].duration_s = Math.round((Date.now() - t0) / 100) / 10;
    } catch (err) {
      console.error(`bench: scenario ${s.name} failed: ${err?.stack ?? err}`);
      results[s.name] = { ok: false, error: String(err?.message ?? err) };
    }
    if (results[s.name].ok === false) exitCode = 1;
    if (typeof results[s.name].lost === "number" && results[s.name].lost !== 0) exitCode = 1;
    // A server no later scenario needs is stopped now: a collector's queue consumer may still
    // be working through a backlog, which would steal CPU from the measurements that follow.
    const later = new Set(scenarios.slice(i + 1).flatMap((x) => x.servers));
    await Promise.all(
      Object.keys(servers)
        .filter((n) => !later.has(n))
        .map((n) => ctx.stopServer(n)),
    );
  }
  await stopAll();
  clearTimeout(watchdog);

  const report = {
    mode: options.mode,
    started_at: new Date(started).toISOString(),
    duration_s: Math.round((Date.now() - started) / 100) / 10,
    payload: { events: template.count, bytes: template.bytes },
    startup_s: Object.fromEntries(needed.map((n) => [n, Math.round(servers[n].readyMs / 100) / 10])),
    ...results,
    machine: machine(),
    ok: exitCode === 0,
  };
  mkdirSync(join(options.out, ".."), { recursive: true });
  writeFileSync(options.out, `${JSON.stringify(report, null, 2)}\n`);
  printTable(report);
  console.log(`\nwritten ${options.out}`);
  process.exit(exitCode);
}

main().catch((err) => {
  console.error(`bench: ${err?.stack ?? err}`);
  process.exit(2);
});
