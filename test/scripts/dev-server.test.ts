// The bench's servers run without wrangler dev's inspector (scripts/lib/dev-server.mjs): the
// same Worker, bindings and vars, but no runtime inspector for wrangler to turn the DevTools
// Network domain on in, which reports every subrequest (each local D1 query) to wrangler's
// Node process. Checked where it shows: workerd's own command line.
// And the launcher's one more start of a server that did not answer in time.
import { mkdtempSync, readdirSync, readFileSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, describe, expect, it, vi } from "vitest";
import { ROOT, startWranglerDev } from "../../scripts/lib/wrangler-dev.mjs";

/** The command lines of the workerd processes below `root` (Linux /proc). */
function workerdBelow(root: number): string[] {
  const procs = readdirSync("/proc")
    .filter((entry) => /^\d+$/.test(entry))
    .flatMap((entry) => {
      try {
        const stat = readFileSync(`/proc/${entry}/stat`, "utf8");
        const ppid = Number(stat.slice(stat.lastIndexOf(")") + 2).split(" ")[1]);
        const cmd = readFileSync(`/proc/${entry}/cmdline`, "utf8").split("\0");
        return [{ pid: Number(entry), ppid, cmd }];
      } catch {
        return []; // exited while listed
      }
    });
  const tree = new Set([root]);
  for (let grew = true; grew; ) {
    grew = false;
    for (const p of procs)
      if (!tree.has(p.pid) && tree.has(p.ppid)) {
        tree.add(p.pid);
        grew = true;
      }
  }
  return procs.filter((p) => tree.has(p.pid) && (p.cmd[0] ?? "").endsWith("/workerd")).map((p) => p.cmd.join(" "));
}

const state = mkdtempSync(join(tmpdir(), "edgehog-dev-server-"));
afterAll(() => rmSync(state, { recursive: true, force: true }));

/** The no-op baseline Worker through the launcher, with or without wrangler dev's inspector. */
const startNoop = (inspector: boolean, options: { name?: string; timeoutMs?: number } = {}) =>
  startWranglerDev({
    name: inspector ? "with-inspector" : "no-inspector",
    config: join(ROOT, "bench/workers/noop/wrangler.toml"),
    persistTo: state,
    args: ["--log-level", "warn"],
    readyPath: "/healthz",
    inspector,
    ...options,
  });

describe("the launcher with inspector: false", () => {
  it("serves the Worker, and no workerd of it has an inspector", async () => {
    const dev = await startNoop(false);
    try {
      const res = await fetch(`${dev.url}/healthz`);
      expect(res.status).toBe(200);
      const workerd = workerdBelow(dev.pid);
      expect(workerd.length).toBeGreaterThan(0);
      for (const cmd of workerd) expect(cmd).not.toContain("--inspector-addr");
    } finally {
      await dev.stop();
    }
  });

  it("wrangler dev itself starts its runtime with one (what the above would otherwise see)", async () => {
    const dev = await startNoop(true);
    try {
      expect(workerdBelow(dev.pid).some((cmd) => cmd.includes("--inspector-addr"))).toBe(true);
    } finally {
      await dev.stop();
    }
  });
});

describe("a wrangler dev that does not answer in time", () => {
  it("is stopped and started once more, then the error says so, with what it printed", async () => {
    const said = vi.spyOn(console, "error").mockImplementation(() => {});
    try {
      const start = startNoop(false, { name: "never-ready", timeoutMs: 1 });
      await expect(start).rejects.toThrow(
        /^never-ready: wrangler dev \(pid \d+\) did not answer \/healthz within 1 ms \(probes: \d+, the last: [^)]+\)\n/,
      );
      const again = said.mock.calls.filter(([line]) => String(line).endsWith("never-ready: starting it again"));
      expect(again).toHaveLength(1);
    } finally {
      said.mockRestore();
    }
  });
});
