#!/usr/bin/env node
// `npm start`: the collector on http://127.0.0.1:8787 (PORT overrides) with `wrangler dev`,
// its local D1 schema applied, a `demo` tenant seeded (a fresh token printed) and
// `--test-scheduled` on (GET /__scheduled runs the cron).
import { spawn, spawnSync } from "node:child_process";
import { appendFileSync, copyFileSync, existsSync, readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { seedDemoTenant } from "./tenant.mjs";

const root = fileURLToPath(new URL("..", import.meta.url));
const port = process.env.PORT ?? "8787";
const wrangler = [fileURLToPath(new URL("../node_modules/wrangler/bin/wrangler.js", import.meta.url))];
// No Cloudflare account is needed locally: don't try to fetch the Request.cf template.
const env = { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" };

function step(title, args) {
  console.log(`\n▸ ${title}`);
  const result = spawnSync(process.execPath, [...wrangler, ...args], { cwd: root, env, stdio: "inherit" });
  if (result.status !== 0) {
    console.error(`✗ ${title} failed (exit ${result.status ?? result.signal})`);
    process.exit(result.status ?? 1);
  }
}

if (!/^\d{1,5}$/.test(port)) {
  console.error(`PORT must be a port number, got "${port}"`);
  process.exit(2);
}

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

step("applying schema.sql to the local D1 database", ["d1", "execute", "edgehog", "--local", "--file=schema.sql"]);

console.log("\n▸ seeding the demo tenant");
const demo = seedDemoTenant();
console.log(`  tenant "demo" (${demo.tenant.id}); a new token for it (shown once):`);
console.log(`  ${demo.issued.token}`);
console.log(`  e.g. curl -H "authorization: Bearer ${demo.issued.token}" http://127.0.0.1:${port}/v1/usage …`);

console.log(`\n▸ starting edgehog on http://127.0.0.1:${port}`);
const dev = spawn(
  process.execPath,
  [...wrangler, "dev", "--ip", "127.0.0.1", "--port", port, "--test-scheduled", "--show-interactive-dev-session=false"],
  { cwd: root, env, stdio: "inherit" },
);
for (const signal of ["SIGINT", "SIGTERM"]) process.on(signal, () => dev.kill(signal));
dev.on("exit", (code, signal) => process.exit(code ?? (signal ? 1 : 0)));
