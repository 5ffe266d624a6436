// The bench's watchdog and signal handlers stop every wrangler they started, also one still
// starting, which nothing holds a handle to yet (scripts/lib/wrangler.mjs).
import { execFileSync } from "node:child_process";
import { readdirSync, readFileSync } from "node:fs";
import { setTimeout as sleep } from "node:timers/promises";
import { describe, expect, it } from "vitest";
import { spawnWrangler, stopEverySpawned } from "../../scripts/lib/wrangler.mjs";

const alive = (pid: number) => {
  try {
    process.kill(pid, 0);
    return true;
  } catch {
    return false;
  }
};

/** Processes of group `pgid` that still run (Linux /proc; a zombie waiting to be reaped is not running). */
const runningInGroup = (pgid: number) =>
  readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .filter((entry) => {
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
        const [state, , group] = stat.slice(stat.lastIndexOf(")") + 2).split(" ");
        return Number(group) === pgid && state !== "Z";
      } catch {
        return false; // exited while listed
      }
    });

describe("stopEverySpawned", () => {
  it("stops a wrangler dev that is still starting, with its process group", async () => {
    // Never awaited as a server: only the launcher's own list knows it.
    const { child } = spawnWrangler(["dev", "--port", "0", "--inspector-port", "0", "--log-level", "warn"]);
    const pid = child.pid as number;
    try {
      await sleep(300);
      expect(alive(pid)).toBe(true);
      await stopEverySpawned();
      expect(child.exitCode !== null || child.signalCode !== null).toBe(true);
      // The group went too (wrangler's esbuild and workerd children share it).
      expect(runningInGroup(pid)).toEqual([]);
    } finally {
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        // gone, as it should be
      }
    }
  });

  it("kills what is left when the process that started it exits without stopping it", async () => {
    // A process that starts wrangler dev, prints its pid and exits at once (as a test file whose
    // setup timed out before it held a handle).
    const launcher = new URL("../../scripts/lib/wrangler.mjs", import.meta.url).href;
    const pid = Number(
      execFileSync(
        process.execPath,
        [
          "--input-type=module",
          "-e",
          `import { spawnWrangler } from ${JSON.stringify(launcher)};
           const { child } = spawnWrangler(["dev", "--port", "0", "--inspector-port", "0", "--log-level", "warn"]);
           console.log(child.pid);
           setTimeout(() => process.exit(0), 300);`,
        ],
        { encoding: "utf8" },
      ).trim(),
    );
    try {
      await sleep(200);
      expect(runningInGroup(pid)).toEqual([]);
    } finally {
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        // gone, as it should be
      }
    }
  });
});
