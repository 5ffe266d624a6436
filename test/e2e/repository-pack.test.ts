import { execFile } from "node:child_process";
import { mkdtempSync, readdirSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * The repository as a package, which is what `npm install edgehog@git+https://…` installs (npm
 * takes a git URL only for the package at the repository's root): `npm pack` at the root (its
 * `prepare` builds the SDK), the tarball installed offline under the name `edgehog` into a
 * scratch app. It must carry the SDK's built files and nothing of the collector, pull in no
 * dependency, and answer `edgehog/client` and `edgehog/client/node` as the SDK's own package does.
 */

const run = promisify(execFile);
const root = fileURLToPath(new URL("../..", import.meta.url));
const npm = process.platform === "win32" ? "npm.cmd" : "npm";

describe("the repository, installed as a package", () => {
  let app: string;
  let files: string[] = [];
  beforeAll(async () => {
    const packDir = mkdtempSync(join(tmpdir(), "edgehog-repo-pack-"));
    app = mkdtempSync(join(tmpdir(), "edgehog-repo-app-"));
    const packed = await run(npm, ["pack", "--json", "--pack-destination", packDir], { cwd: root });
    const [info] = JSON.parse(packed.stdout.slice(packed.stdout.search(/^\[/m))) as {
      filename: string;
      files: { path: string }[];
    }[];
    files = info?.files.map((f) => f.path) ?? [];
    writeFileSync(join(app, "package.json"), JSON.stringify({ name: "scratch-app", private: true }));
    const tarball = join(packDir, info?.filename ?? "");
    await run(npm, ["install", `edgehog@file:${tarball}`, "--offline", "--no-audit", "--no-fund"], { cwd: app });
    rmSync(packDir, { recursive: true, force: true });
  }, 120_000);
  afterAll(() => {
    if (app) rmSync(app, { recursive: true, force: true });
  });

  it("holds the SDK's built files, its licence and the READMEs, and nothing of the collector", () => {
    expect(files).toEqual(
      expect.arrayContaining([
        "packages/client/dist/esm/index.js",
        "packages/client/dist/cjs/node.js",
        "packages/client/dist/edgehog.min.js",
        "packages/client/LICENSE",
      ]),
    );
    const other = files.filter((f) => !f.startsWith("packages/client/dist/"));
    expect(other.sort()).toEqual(["README.md", "package.json", "packages/client/LICENSE", "packages/client/README.md"]);
  });

  it("installs no dependency and answers both import paths, ES module and CommonJS", async () => {
    expect(readdirSync(join(app, "node_modules")).filter((name) => !name.startsWith("."))).toEqual(["edgehog"]);
    writeFileSync(
      join(app, "check.mjs"),
      `import { createClient, memoryStorage } from "edgehog/client";
import { createCliTelemetry, fileStorage } from "edgehog/client/node";
import { createRequire } from "node:module";
const require = createRequire(import.meta.url);
const cjs = require("edgehog/client");
const cjsNode = require("edgehog/client/node");
console.log(JSON.stringify([createClient, memoryStorage, createCliTelemetry, fileStorage, cjs.createClient, cjsNode.fileStorage].map((f) => typeof f)));`,
    );
    const { stdout } = await run(process.execPath, ["check.mjs"], { cwd: app });
    expect(JSON.parse(stdout)).toEqual(Array(6).fill("function"));
  });
});
