import { execFile } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { build } from "esbuild";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningCollector, startCollector } from "./wrangler-dev";

/**
 * The package as users get it: `npm pack` (its `prepare` builds it), the tarball installed
 * offline into a scratch app outside this repository, and three consumers there, each sending
 * an event to the collector under wrangler dev: an ES module, a CommonJS `require`, and a
 * bundler's browser build (esbuild, platform browser: no Node module may reach it).
 */

const run = promisify(execFile);
const root = fileURLToPath(new URL("../..", import.meta.url));
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

const send = (load: string) => `${load}
const host = process.argv[2] ?? globalThis.EDGEHOG_URL;
const client = createClient({ host, app: "teleport-connect", consent: "granted", storage: memoryStorage() });
client.capture("connect.user.job_role", { job_role: JOB_ROLE });
const result = await client.shutdown({ timeoutMs: 10_000 });
console.log(JSON.stringify(result));
`;

describe("the packed package, installed into an app", () => {
  let collector: RunningCollector;
  let app: string;
  let files: string[] = [];
  beforeAll(async () => {
    const packDir = mkdtempSync(join(tmpdir(), "edgehog-pack-"));
    app = mkdtempSync(join(tmpdir(), "edgehog-app-"));
    const [started, packed] = await Promise.all([
      startCollector(),
      run(npm, ["pack", "--json", "--pack-destination", packDir], { cwd: join(root, "packages/client") }),
    ]);
    collector = started;
    // `prepare` prints before the JSON.
    const [info] = JSON.parse(packed.stdout.slice(packed.stdout.search(/^\[/m))) as {
      filename: string;
      files: { path: string }[];
    }[];
    files = info?.files.map((f) => f.path) ?? [];
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "scratch-app", private: true }));
    await run(npm, ["install", join(packDir, info?.filename ?? ""), "--offline", "--no-audit", "--no-fund"], {
      cwd: app,
    });
    rmSync(packDir, { recursive: true, force: true });
  }, 120_000);
  afterAll(async () => {
    await collector?.stop();
    if (app) rmSync(app, { recursive: true, force: true });
  });

  it("holds the built files, the licence and the README, and no source", () => {
    for (const file of ["dist/esm/index.js", "dist/esm/node.js", "dist/cjs/index.js", "dist/cjs/node.js"]) {
      expect(files).toContain(file);
    }
    expect(files).toEqual(
      expect.arrayContaining(["dist/esm/index.d.ts", "dist/edgehog.min.js", "LICENSE", "README.md"]),
    );
    expect(files.filter((f) => f.startsWith("src/") || f.startsWith("scripts/"))).toEqual([]);
  });

  it("sends from Node's ES modules, CommonJS require and a bundler's browser build", async () => {
    writeFileSync(
      join(app, "esm.mjs"),
      send(`import { createClient, memoryStorage } from "edgehog/client";
import { fileStorage } from "edgehog/client/node";
if (typeof fileStorage !== "function") throw new Error("edgehog/client/node");
const JOB_ROLE = "esm";`),
    );
    writeFileSync(
      join(app, "cjs.cjs"),
      `const { createClient, memoryStorage } = require("edgehog/client");
const { fileStorage } = require("edgehog/client/node");
if (typeof fileStorage !== "function") throw new Error("edgehog/client/node");
// The CommonJS build, not Node's require() of the ES module (which only Node ≥ 20.19 and 22.12 can do).
for (const entry of ["edgehog/client", "edgehog/client/node"]) {
  if (!/dist[\\/]cjs[\\/]/.test(require.resolve(entry))) throw new Error(\`\${entry}: not the CommonJS build\`);
}
const JOB_ROLE = "cjs";
(async () => {${send("")}})();`,
    );
    writeFileSync(
      join(app, "page.js"),
      send(`import { createClient, memoryStorage } from "edgehog/client";\nconst JOB_ROLE = "bundle";`),
    );
    await build({
      entryPoints: [join(app, "page.js")],
      outfile: join(app, "page.bundle.mjs"),
      bundle: true,
      format: "esm",
      platform: "browser",
      absWorkingDir: app,
      logLevel: "silent",
    });
    for (const consumer of ["esm.mjs", "cjs.cjs", "page.bundle.mjs"]) {
      const { stdout } = await run(process.execPath, [consumer, collector.url], { cwd: app });
      expect({ consumer, result: JSON.parse(stdout) }).toMatchObject({ consumer, result: { sent: 1, pending: 0 } });
    }

    const day = new Date().toISOString().slice(0, 10);
    const deadline = Date.now() + 20_000;
    for (;;) {
      const res = await fetch(`${collector.url}/v1/stats/events?app=teleport-connect&from=${day}&to=${day}`, {
        headers: { authorization: `Bearer ${collector.adminToken}` },
      });
      const stats = (await res.json()) as { days: { events: Record<string, number> }[] };
      if (stats.days[0]?.events["connect.user.job_role"] === 3) break;
      if (Date.now() > deadline) throw new Error(`the 3 events did not arrive: ${JSON.stringify(stats)}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  });
});
