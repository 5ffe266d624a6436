// The bench's watchdog and signal handlers stop every wrangler they started, also one still
// starting, which nothing holds a handle to yet (scripts/lib/wrangler.mjs).
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
      expect(() => process.kill(-pid, 0)).toThrow();
    } finally {
      try {
        process.kill(-pid, "SIGKILL");
      } catch {
        // gone, as it should be
      }
    }
  });
});
