import { spawn } from "node:child_process";
import { existsSync, mkdtempSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningCollector, startCollector } from "./wrangler-dev";

/**
 * The CLI mode as a user meets it: examples/cli.mjs (the built package) run on a terminal
 * (util-linux `script` gives it one) or without one, against the collector under wrangler dev.
 */

const root = fileURLToPath(new URL("../..", import.meta.url));
const QUESTION = "Are you OK sending anonymized usage data about edgehog-example-cli?";

interface Run {
  code: number | null;
  output: string;
  stderr: string;
}

/** `node examples/cli.mjs …args`, on a pseudo-terminal when `answer` is given (typed once the question is out). */
function cli(args: string[], env: Record<string, string>, answer?: string): Promise<Run> {
  const command = `${process.execPath} examples/cli.mjs ${args.join(" ")}`;
  const child =
    answer === undefined
      ? spawn(process.execPath, ["examples/cli.mjs", ...args], { cwd: root, env: { ...process.env, ...env } })
      : spawn("script", ["-qec", command, "/dev/null"], { cwd: root, env: { ...process.env, ...env } });
  let output = "";
  let stderr = "";
  child.stdout.on("data", (chunk: Buffer) => {
    output += chunk;
    if (answer !== undefined && output.includes("[y] Yes")) {
      child.stdin.write(`${answer}\n`);
      answer = undefined;
    }
  });
  child.stderr.on("data", (chunk: Buffer) => {
    stderr += chunk;
  });
  return new Promise((resolve) => child.once("close", (code) => resolve({ code, output, stderr })));
}

describe("the CLI mode (examples/cli.mjs), against wrangler dev", () => {
  let collector: RunningCollector;
  let home: string;
  beforeAll(async () => {
    collector = await startCollector();
    home = mkdtempSync(join(tmpdir(), "edgehog-cli-"));
  });
  afterAll(async () => {
    await collector?.stop();
    if (home) rmSync(home, { recursive: true, force: true });
  });

  /** Each scenario has its own configuration directory; sends are due at every run. */
  const envFor = (name: string, extra: Record<string, string> = {}) => ({
    EDGEHOG_URL: collector.url,
    EDGEHOG_CONFIG_DIR: join(home, name),
    EDGEHOG_SEND_INTERVAL_MS: "0",
    DO_NOT_TRACK: "",
    EXAMPLE_CLI_NO_TELEMETRY: "",
    CI: "",
    ...extra,
  });

  async function sentEvents(): Promise<number> {
    const day = new Date().toISOString().slice(0, 10);
    const res = await fetch(`${collector.url}/v1/stats/events?app=teleport-connect&from=${day}&to=${day}`, {
      headers: { authorization: `Bearer ${collector.adminToken}` },
    });
    const stats = (await res.json()) as { days: { events: Record<string, number> }[] };
    return stats.days[0]?.events["connect.protocol.use"] ?? 0;
  }

  it("asks once on a terminal, keeps the answer, spools each run and sends it from a detached process", async () => {
    const env = envFor("yes");
    const first = await cli(["ssh", "node-1"], env, "y");
    expect(first.code).toBe(0);
    expect(first.output).toContain(QUESTION);
    expect(first.output).toContain("ssh node-1: connected");
    const state = JSON.parse(readFileSync(join(home, "yes/telemetry.json"), "utf8")) as Record<string, string>;
    expect(state["edgehog.teleport-connect.consent"]).toBe('"granted"');

    const second = await cli(["ssh", "node-2"], env, "");
    expect(second.output).not.toContain(QUESTION);
    expect(second.code).toBe(0);
    const deadline = Date.now() + 20_000;
    while ((await sentEvents()) < 2) {
      if (Date.now() > deadline) throw new Error("the spooled events never arrived");
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(await sentEvents()).toBe(2);
    expect(existsSync(join(home, "yes/telemetry.spool"))).toBe(false); // taken by the sender
  });

  it("without a terminal: never asks, spools nothing, prints only the tool's output", async () => {
    const env = envFor("no-terminal");
    const run = await cli(["ssh", "node-1"], env);
    expect(run).toEqual({ code: 0, output: "ssh node-1: connected\n", stderr: "" });
    expect((await cli(["telemetry"], env)).output).toBe("usage data: unknown (non-interactive)\n");
    expect(existsSync(join(home, "no-terminal"))).toBe(false); // not even a folder
  });

  it.each([
    ["DO_NOT_TRACK", "1"],
    ["EXAMPLE_CLI_NO_TELEMETRY", "1"],
  ])("%s=%s on a terminal: never asks, never spools, even after a yes", async (variable, value) => {
    const name = `opt-out-${variable}`;
    await cli(["telemetry", "on"], envFor(name));
    const run = await cli(["ssh", "node-1"], envFor(name, { [variable]: value }), "y");
    expect(run.code).toBe(0);
    expect(run.output).not.toContain(QUESTION);
    expect(existsSync(join(home, name, "telemetry.spool"))).toBe(false);
    expect((await cli(["telemetry"], envFor(name, { [variable]: value }))).output).toBe(
      "usage data: denied (environment)\n",
    );
  });

  it("a no on the terminal is kept: no spool, and the question is not asked again", async () => {
    const env = envFor("declined");
    expect((await cli(["ssh", "node-1"], env, "n")).output).toContain(QUESTION);
    const again = await cli(["ssh", "node-1"], env, "");
    expect(again.output).not.toContain(QUESTION);
    expect(existsSync(join(home, "declined/telemetry.spool"))).toBe(false);
  });
});
