#!/usr/bin/env node
// `npm run bench [-- --quick | --smoke] [options]`: edgehog against baseline Workers, in the
// same run, on the same runtime (wrangler dev / workerd on 127.0.0.1). See docs/BENCHMARKS.md.
import { execFileSync } from "node:child_process";
import { mkdirSync, mkdtempSync, readdirSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import os from "node:os";
import { join } from "node:path";
import { pathToFileURL } from "node:url";
import { batchTemplate } from "./lib/payload.mjs";
import { printTable } from "./lib/report.mjs";
import { serverDefs as builtinServers, startServer } from "./lib/servers.mjs";
import { ROOT } from "./lib/wrangler.mjs";

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
  --prefill=N       events the consumer scenario's database holds before it is timed
  --sustained-seconds=N                         --keep-state     keep the wrangler state dir
  --out=PATH        JSON output (bench/results/latest.json)`;

function parseArgs(argv) {
  const o = {
    mode: "full",
    connections: 10,
    concurrency: 12,
    only: null,
    skip: [],
    out: join(ROOT, "bench/results/latest.json"),
  };
  for (const arg of argv) {
    const [k, v] = arg.split("=", 2);
    const num = () => {
      const n = Number(v);
      if (!Number.isFinite(n) || n <= 0) throw new Error(`${k} needs a positive number`);
      return n;
    };
    switch (k) {
      case "--quick":
        o.mode = "quick";
        break;
      case "--smoke":
        o.mode = "smoke";
        break;
      case "--full":
        o.mode = "full";
        break;
      case "--only":
        o.only = v.split(",");
        break;
      case "--skip":
        o.skip = v.split(",");
        break;
      case "--sustained":
        o.only = ["ingest", "sustained"];
        break;
      case "--events":
        o.events = num();
        break;
      case "--concurrency":
        o.concurrency = num();
        break;
      case "--connections":
        o.connections = num();
        break;
      case "--rate":
        o.rate = num();
        break;
      case "--naive-events":
        o.naiveEvents = num();
        break;
      case "--prefill":
        o.prefill = num();
        break;
      case "--sustained-seconds":
        o.sustainedSeconds = num();
        break;
      case "--keep-state":
        o.keepState = true;
        break;
      case "--out":
        o.out = v;
        break;
      case "--help":
      case "-h":
        console.log(USAGE);
        process.exit(0);
        break;
      default:
        throw new Error(`unknown option ${arg}\n${USAGE}`);
    }
  }
  return o;
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
  const options = parseArgs(process.argv.slice(2));
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
    if (!options.keepState) rmSync(stateDir, { recursive: true, force: true });
  };
  const onSignal = async () => {
    await stopAll();
    process.exit(130);
  };
  process.once("SIGINT", onSignal);
  process.once("SIGTERM", onSignal);
  // Every run is bounded: whatever hangs, the servers are stopped and the run fails.
  const budgetMs = { full: 30 * 60_000, quick: 3 * 60_000, smoke: 3 * 60_000 }[options.mode];
  const watchdog = setTimeout(async () => {
    console.error(`bench: over its ${budgetMs / 1000} s budget, giving up`);
    await stopAll();
    process.exit(3);
  }, budgetMs);
  watchdog.unref();

  log(
    `mode ${options.mode}: scenarios ${scenarios.map((s) => s.name).join(", ")}; starting ${needed.join(", ")} (state in ${stateDir})`,
  );
  const startups = await Promise.allSettled(
    needed.map(async (name) => {
      if (!defs[name]) throw new Error(`no server definition "${name}"`);
      servers[name] = await startServer(name, defs[name], stateDir);
      return servers[name];
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
