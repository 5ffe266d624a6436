#!/usr/bin/env node
// Fails (exit 1) when src/prehog/gen/ no longer matches proto/: it lints the .proto files, generates
// the code again into a temporary directory with the same buf template and compares every file.
// Offline: buf and the protoc-gen-es plugin both come from node_modules.
import { spawnSync } from "node:child_process";
import { mkdtempSync, readdirSync, readFileSync, rmSync, statSync } from "node:fs";
import { tmpdir } from "node:os";
import { join, relative } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const generated = "src/prehog/gen";
const bin = join(root, "node_modules/.bin");
const env = { ...process.env, PATH: `${bin}:${process.env.PATH}` };

function run(args) {
  const result = spawnSync(join(bin, "buf"), args, { cwd: root, env, encoding: "utf8" });
  if (result.status !== 0) throw new Error(`buf ${args.join(" ")} failed:\n${result.stdout}${result.stderr}`);
}

function files(dir) {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : [path];
  });
}

const out = mkdtempSync(join(tmpdir(), "edgehog-proto-"));
try {
  run(["lint", "proto"]);
  run(["generate", "--template", "proto/buf.gen.yaml", "--output", out, "proto"]);
  const fresh = new Map(files(join(out, generated)).map((f) => [relative(join(out, generated), f), f]));
  const committed = new Map(files(join(root, generated)).map((f) => [relative(join(root, generated), f), f]));
  const stale = [...new Set([...fresh.keys(), ...committed.keys()])].filter((name) => {
    const [a, b] = [fresh.get(name), committed.get(name)];
    return !a || !b || readFileSync(a, "utf8") !== readFileSync(b, "utf8");
  });
  if (stale.length > 0) {
    console.error(`${generated} is out of date with proto/ (${stale.join(", ")}): run \`npm run proto\` and commit it`);
    process.exitCode = 1;
  } else {
    console.log(`${generated} matches proto/ (${fresh.size} files)`);
  }
} finally {
  rmSync(out, { recursive: true, force: true });
}
