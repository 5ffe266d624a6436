#!/usr/bin/env node
// `npm start`: the collector on http://127.0.0.1:8787 (PORT overrides) with `wrangler dev`:
// local secrets in .dev.vars, the D1 migrations applied to the local database, `--test-scheduled`
// on (GET /__scheduled runs the cron), and a `demo` tenant with a fresh token, printed once
// the collector answers. Everything fits on one screen.
import { spawn, spawnSync } from "node:child_process";
import { appendFileSync, copyFileSync, existsSync, readFileSync } from "node:fs";
import { connect } from "node:net";
import { createInterface } from "node:readline";
import { fileURLToPath } from "node:url";
import { adminTokenFor, operatorApi, seedDemoTenant } from "./lib/operator-api.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const port = process.env.PORT ?? "8787";
const url = `http://127.0.0.1:${port}`;
const wrangler = fileURLToPath(new URL("../node_modules/wrangler/bin/wrangler.js", import.meta.url));
// No Cloudflare account is needed locally: don't try to fetch the Request.cf template.
const env = { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" };

function fail(message) {
  console.error(`✗ ${message}`);
  process.exit(1);
}

if (!/^\d{1,5}$/.test(port)) fail(`PORT must be a port number, got "${port}"`);

const devVars = new URL("../.dev.vars", import.meta.url);
const example = new URL("../.dev.vars.example", import.meta.url);
if (!existsSync(devVars)) {
  copyFileSync(example, devVars);
  console.log("▸ created .dev.vars from .dev.vars.example (local secrets)");
} else {
  // An older .dev.vars may lack secrets added since: append the example's missing ones.
  const present = new Set(readFileSync(devVars, "utf8").match(/^[A-Z_][A-Z0-9_]*(?==)/gm) ?? []);
  const missing = readFileSync(example, "utf8")
    .split("\n")
    .filter((line) => /^[A-Z_][A-Z0-9_]*=/.test(line) && !present.has(line.split("=", 1)[0]));
  if (missing.length > 0) {
    appendFileSync(devVars, `\n${missing.join("\n")}\n`);
    console.log(`▸ added to .dev.vars: ${missing.map((line) => line.split("=", 1)[0]).join(", ")}`);
  }
}

// wrangler prints a table per migration; one line is enough here (all of it on failure).
const migrate = spawnSync(process.execPath, [wrangler, "d1", "migrations", "apply", "edgehog", "--local"], {
  cwd: root,
  env,
  encoding: "utf8",
  stdio: ["ignore", "pipe", "pipe"],
});
if (migrate.status !== 0) fail(`applying the D1 migrations failed:\n${migrate.stdout}${migrate.stderr}`);
const applied = [...migrate.stdout.matchAll(/│ (\S+\.sql)\s+│ ✅/g)].map((m) => m[1]);
console.log(`▸ local D1: ${applied.length > 0 ? `applied ${applied.join(", ")}` : "migrations up to date"}`);

const portTaken = await new Promise((resolve) => {
  const socket = connect(Number(port), "127.0.0.1");
  socket.once("connect", () => resolve(socket.end() && true));
  socket.once("error", () => resolve(false));
});
if (portTaken) fail(`something already listens on ${url}: stop it, or run PORT=<another port> npm start`);

console.log(`▸ starting edgehog on ${url}`);
const dev = spawn(
  process.execPath,
  [wrangler, "dev", "--ip", "127.0.0.1", "--port", port, "--test-scheduled", "--show-interactive-dev-session=false"],
  { cwd: root, env, stdio: ["inherit", "pipe", "inherit"] },
);
// wrangler lists every var (two dozen lines, all of them in wrangler.toml): one line instead.
let vars = 0;
createInterface({ input: dev.stdout }).on("line", (line) => {
  if (/^env\.[A-Z0-9_]+ \(.*\)\s+Environment Variable\s/.test(line)) {
    vars++;
    return;
  }
  if (vars > 0) {
    console.log(`${vars} vars (wrangler.toml [vars] and .dev.vars)`);
    vars = 0;
  }
  console.log(line);
});
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => dev.kill(signal));
dev.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));

// Once it answers: the demo tenant and a token for it, through the operator API.
const deadline = Date.now() + 120_000;
while (
  !(await fetch(`${url}/healthz`).then(
    (res) => res.ok,
    () => false,
  ))
) {
  if (Date.now() > deadline) fail(`edgehog did not answer on ${url} within 120 s`);
  await new Promise((resolve) => setTimeout(resolve, 250));
}
try {
  const demo = await seedDemoTenant(operatorApi(url, adminTokenFor(url)));
  console.log(`
▸ edgehog is ready on ${url}   (catalogue: ${url}/v1/catalog, stop with Ctrl-C)
  dashboard: ${url}/dashboard (sign in with ADMIN_TOKEN from .dev.vars)
  tenant "demo" (${demo.tenant.id}) has a new token, shown once:
  ${demo.token}
  send usage with: curl -H "authorization: Bearer ${demo.token}" ${url}/v1/usage …
`);
} catch (err) {
  console.error(`✗ seeding the demo tenant failed: ${err.message}`);
}
