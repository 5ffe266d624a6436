// Throughput cost of the rate limiter: two `wrangler dev` servers, identical but for
// RATE_LIMIT_ENABLED, driven in turn (A/B/A/B) with the same 100-event batch.
// Run: node bench/ratelimit.mjs   (env: BENCH_SECONDS, BENCH_ROUNDS, BENCH_CONNECTIONS)
import { spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import autocannon from "autocannon";

const SECONDS = Number(process.env.BENCH_SECONDS ?? 10);
const ROUNDS = Number(process.env.BENCH_ROUNDS ?? 3);
const CONNECTIONS = Number(process.env.BENCH_CONNECTIONS ?? 20);
const STARTUP_TIMEOUT_MS = 90_000;
const HUGE = "1000000000";

// Limits far above what the run can reach: the benchmark measures the limiter's cost, not its refusals.
const commonVars = {
  RATE_LIMIT_SALT_SECRET: "bench-salt-secret-not-for-production",
  RATE_LIMIT_APP_CAPACITY: HUGE,
  RATE_LIMIT_APP_PER_SECOND: HUGE,
  RATE_LIMIT_CLIENT_CAPACITY: HUGE,
  RATE_LIMIT_CLIENT_PER_SECOND: HUGE,
  RATE_LIMIT_INSTALL_CAPACITY: HUGE,
  RATE_LIMIT_INSTALL_PER_SECOND: HUGE,
};

const servers = [
  { name: "limiter-on", port: 8791, inspector: 9291, vars: { ...commonVars, RATE_LIMIT_ENABLED: "true" } },
  { name: "limiter-off", port: 8792, inspector: 9292, vars: { ...commonVars, RATE_LIMIT_ENABLED: "false" } },
];

function randomDigest() {
  return Buffer.from(crypto.getRandomValues(new Uint8Array(32))).toString("base64");
}

const distinctId = crypto.randomUUID();
const body = JSON.stringify({
  app: "teleport-connect",
  events: Array.from({ length: 100 }, () => ({
    uuid: crypto.randomUUID(),
    event: "connect.protocol.use",
    distinct_id: distinctId,
    timestamp: new Date().toISOString(),
    properties: { cluster_name: randomDigest(), user_name: randomDigest(), protocol: "ssh" },
  })),
});

const started = [];

function stopAll() {
  for (const child of started) {
    // Only the process groups this script created (detached children lead their own group).
    try {
      process.kill(-child.pid, "SIGTERM");
    } catch {}
  }
}
process.on("exit", stopAll);
process.on("SIGINT", () => process.exit(130));

function applySchema(persistTo) {
  const result = spawnSync(
    "npx",
    ["wrangler", "d1", "execute", "edgehog", "--local", "--persist-to", persistTo, "--file", "schema.sql"],
    { stdio: "ignore", timeout: 60_000, env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false" } },
  );
  if (result.status !== 0) throw new Error(`applying schema.sql to ${persistTo} failed`);
}

function start(server, persistTo) {
  const args = ["wrangler", "dev", "--ip", "127.0.0.1", "--port", String(server.port)];
  args.push("--inspector-port", String(server.inspector), "--persist-to", persistTo);
  args.push("--show-interactive-dev-session=false", "--log-level", "error");
  for (const [name, value] of Object.entries(server.vars)) args.push("--var", `${name}:${value}`);
  const child = spawn("npx", args, {
    detached: true,
    stdio: ["ignore", "ignore", "inherit"],
    env: { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" },
  });
  started.push(child);
  return child;
}

async function waitReady(server) {
  const deadline = Date.now() + STARTUP_TIMEOUT_MS;
  while (Date.now() < deadline) {
    try {
      const res = await fetch(`http://127.0.0.1:${server.port}/healthz`, { signal: AbortSignal.timeout(2000) });
      if (res.ok) return;
    } catch {}
    await new Promise((resolve) => setTimeout(resolve, 500));
  }
  throw new Error(`${server.name} did not start within ${STARTUP_TIMEOUT_MS} ms`);
}

function drive(server, seconds) {
  return autocannon({
    url: `http://127.0.0.1:${server.port}/v1/events`,
    method: "POST",
    headers: { "content-type": "application/json", "cf-connecting-ip": "203.0.113.10" },
    body,
    connections: CONNECTIONS,
    duration: seconds,
  });
}

const dirs = servers.map((server) => mkdtempSync(join(tmpdir(), `edgehog-bench-${server.name}-`)));
try {
  for (const [i] of servers.entries()) applySchema(dirs[i]);
  for (const [i, server] of servers.entries()) start(server, dirs[i]);
  await Promise.all(servers.map(waitReady));

  // Warm-up: first requests start the objects, compile code and fill the client-key salt cache.
  for (const server of servers) await drive(server, 3);

  const totals = Object.fromEntries(servers.map((server) => [server.name, []]));
  for (let round = 1; round <= ROUNDS; round++) {
    for (const server of servers) {
      const result = await drive(server, SECONDS);
      const bad = result.non2xx + result.errors + result.timeouts;
      totals[server.name].push(result.requests.average);
      console.log(
        `round ${round} ${server.name.padEnd(11)} ${result.requests.average.toFixed(0).padStart(6)} req/s ` +
          `(${(result.requests.average * 100).toFixed(0)} events/s, p99 ${result.latency.p99} ms, non-2xx/errors ${bad})`,
      );
      if (bad > 0)
        console.log(`  warning: ${bad} requests were not 2xx; the limits may be too low or the server struggled`);
    }
  }

  const mean = (values) => values.reduce((a, b) => a + b, 0) / values.length;
  const on = mean(totals["limiter-on"]);
  const off = mean(totals["limiter-off"]);
  console.log(`\nlimiter on : ${on.toFixed(0)} req/s`);
  console.log(`limiter off: ${off.toFixed(0)} req/s`);
  console.log(`ratio on/off: ${(on / off).toFixed(3)} (cost ${((1 - on / off) * 100).toFixed(1)}% of throughput)`);
} finally {
  stopAll();
  await new Promise((resolve) => setTimeout(resolve, 1000));
  for (const dir of dirs) rmSync(dir, { recursive: true, force: true });
}
