import { appendFileSync, existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { cliFiles } from "../../packages/client/src/cli/paths";
import { sendSpool } from "../../packages/client/src/cli/spool";
import { createCliTelemetry } from "../../packages/client/src/cli/telemetry";
import { accept, fakeCollector } from "./helpers";

/**
 * The CLI mode's background sender (edgehog/client/node): one at a time, and what other runs
 * spool while it holds the lock is sent by it, not left for the next hour.
 */

const dirs: string[] = [];
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

/** A tool that said yes on a terminal, never sending by itself; its spool holds `runs` events, one line each. */
async function spooledRuns(runs: number) {
  const dir = mkdtempSync(join(tmpdir(), "edgehog-cli-"));
  dirs.push(dir);
  const terminal = { isTTY: true };
  const telemetry = createCliTelemetry({
    host: "https://collector.test",
    app: "teleport-connect",
    name: "tool",
    optOutVariable: "TOOL_NO_TELEMETRY",
    configDir: dir,
    env: {},
    input: terminal as never,
    output: terminal as never,
    senderScript: false,
    clusterKey: "7d3c1f0e-5b2a-4c8d-9e6f-0a1b2c3d4e5f",
  });
  telemetry.setConsent(true);
  for (let run = 0; run < runs; run++) {
    await telemetry.capture("connect.protocol.use", {
      cluster_name: "teleport.example.com",
      user_name: "alice",
      protocol: "ssh",
      origin: "search_bar",
    });
  }
  const files = cliFiles(dir);
  const lines = readFileSync(files.spool, "utf8").split("\n").filter(Boolean);
  return { files, lines, job: { host: "https://collector.test", app: "teleport-connect", files, timeoutMs: 5_000 } };
}

const uuids = (lines: string[]) => lines.map((line) => (JSON.parse(line) as { uuid: string }).uuid);

describe("the CLI mode's background sender", () => {
  it("sends what runs spool while it holds the lock; a second sender started meanwhile leaves at once", async () => {
    const { files, lines, job } = await spooledRuns(3);
    writeFileSync(files.spool, `${lines[0]}\n`);
    let second: Promise<unknown> | undefined;
    const collector = fakeCollector((request, index) => {
      if (index === 0) {
        // Another run spools its event and starts its own sender while this one is sending.
        appendFileSync(files.spool, `${lines[1]}\n${lines[2]}\n`);
        second = sendSpool(job, collector.fetch);
      }
      return accept(request);
    });
    const result = await sendSpool(job, collector.fetch);
    expect(await second).toBeUndefined(); // the lock was held
    expect(collector.events().map((event) => event.uuid)).toEqual(uuids(lines));
    expect(result).toMatchObject({ sent: 2, pending: 0 });
    expect(existsSync(files.spool)).toBe(false);
    expect(existsSync(files.lock)).toBe(false);
  });

  it("leaves the rest for the next send when the collector cannot be reached", async () => {
    const { files, lines, job } = await spooledRuns(2);
    writeFileSync(files.spool, `${lines[0]}\n`);
    const collector = fakeCollector(() => {
      appendFileSync(files.spool, `${lines[1]}\n`);
      return "network_error";
    });
    const result = await sendSpool({ ...job, timeoutMs: 1_000 }, collector.fetch);
    expect(result?.pending).toBeGreaterThan(0);
    expect(existsSync(files.spool)).toBe(true); // not taken: kept on disk for the next send
    expect(existsSync(files.lock)).toBe(false);
  });
});
