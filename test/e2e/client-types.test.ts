import { execFile } from "node:child_process";
import { copyFileSync, mkdirSync, mkdtempSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * The built declarations as an application sees them: a project outside this repository, with
 * edgehog installed in its node_modules, compiles code that uses the SDK right and fails on
 * each mistake the catalogue types exist to catch (test/e2e/fixtures/typed-consumer.ts), under
 * both module resolutions applications use.
 */

const root = fileURLToPath(new URL("../..", import.meta.url));
const tsc = join(root, "node_modules/typescript/bin/tsc");

describe("the catalogue types of the built package, in an application's compiler", () => {
  let project: string;
  beforeAll(() => {
    project = mkdtempSync(join(tmpdir(), "edgehog-types-"));
    mkdirSync(join(project, "node_modules"));
    symlinkSync(join(root, "packages/client"), join(project, "node_modules/edgehog"), "dir");
    copyFileSync(join(root, "test/e2e/fixtures/typed-consumer.ts"), join(project, "app.ts"));
    writeFileSync(join(project, "package.json"), JSON.stringify({ type: "module" }));
  });
  afterAll(() => {
    if (project) rmSync(project, { recursive: true, force: true });
  });

  it.each([
    "nodenext",
    "bundler",
  ])("compiles right uses and refuses each mistake (moduleResolution %s)", async (resolution) => {
    const config = {
      compilerOptions: {
        strict: true,
        noEmit: true,
        skipLibCheck: false,
        target: "ES2022",
        lib: ["ES2022", "DOM"],
        types: [],
        module: resolution === "nodenext" ? "nodenext" : "preserve",
        moduleResolution: resolution,
      },
      files: ["app.ts"],
    };
    writeFileSync(join(project, "tsconfig.json"), JSON.stringify(config));
    const run = await promisify(execFile)(process.execPath, [tsc, "-p", project]).then(
      () => ({ ok: true, output: "" }),
      (err: { stdout: string }) => ({ ok: false, output: err.stdout }),
    );
    expect(run.output).toBe("");
    expect(run.ok).toBe(true);
  });
});
