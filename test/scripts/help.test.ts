import { readdirSync } from "node:fs";
import { describe, expect, it } from "vitest";
import { runNode } from "../e2e/run-node";

/**
 * Every script an operator or a developer runs (scripts/*.mjs, bench/run.mjs) answers `--help`
 * with its usage and exit 0, and a mistake with the usage line on stderr and exit 2
 * (scripts/lib/cli.mjs). The list is read from the folder, so a new script is held to it too.
 */
const scripts = [
  ...readdirSync(new URL("../../scripts", import.meta.url))
    .filter((name) => name.endsWith(".mjs"))
    .map((name) => `scripts/${name}`),
  "bench/run.mjs",
];

describe("every script's command line", () => {
  it("covers the scripts package.json runs", () => {
    for (const script of ["start", "tenant", "export", "redrive", "doctor", "generate"]) {
      expect(scripts).toContain(`scripts/${script}.mjs`);
    }
  });

  it.each(scripts)("%s --help: its usage on stdout, exit 0", async (script) => {
    const { code, stdout, stderr } = await runNode(script, ["--help"]);
    expect(stderr).toBe("");
    expect(stdout).toMatch(/^usage: \S/);
    expect(code).toBe(0);
  });

  it.each(scripts)("%s --bogus: what is wrong and the usage line on stderr, exit 2", async (script) => {
    const { code, stdout, stderr } = await runNode(script, ["--bogus"]);
    expect(stdout).toBe("");
    expect(stderr.split("\n").slice(0, 2)).toEqual(["unknown option --bogus", expect.stringMatching(/^usage: \S/)]);
    expect(code).toBe(2);
  });
});
