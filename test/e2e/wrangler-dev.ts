import { type ChildProcess, spawn, spawnSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("../..", import.meta.url));
const wrangler = join(root, "node_modules/wrangler/bin/wrangler.js");
const env = { ...process.env, CLOUDFLARE_CF_FETCH_ENABLED: "false", WRANGLER_SEND_METRICS: "false" };

export interface RunningCollector {
  url: string;
  adminToken: string;
  stop(): Promise<void>;
}

async function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const server = createServer();
    server.once("error", reject);
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      server.close(() =>
        typeof address === "object" && address ? resolve(address.port) : reject(new Error("no port")),
      );
    });
  });
}

export interface CollectorOptions {
  /** Extra vars (and secrets) for this run, e.g. POSTHOG_HOST and POSTHOG_API_KEY. */
  vars?: Record<string, string>;
}

/**
 * Starts the collector with `wrangler dev` on 127.0.0.1, on a free port and a throw-away
 * local state directory (migrations applied), as `npm start` would.
 */
export async function startCollector(options: CollectorOptions = {}): Promise<RunningCollector> {
  const state = mkdtempSync(join(tmpdir(), "edgehog-e2e-"));
  const adminToken = `e2e-${crypto.randomUUID()}`;
  const migrations = spawnSync(
    process.execPath,
    [wrangler, "d1", "migrations", "apply", "edgehog", "--local", "--persist-to", state],
    { cwd: root, env, encoding: "utf8", stdio: ["ignore", "pipe", "pipe"] },
  );
  if (migrations.status !== 0) throw new Error(`applying the migrations failed: ${migrations.stderr}`);

  const port = await freePort();
  const child: ChildProcess = spawn(
    process.execPath,
    [
      wrangler,
      "dev",
      "--ip",
      "127.0.0.1",
      "--port",
      String(port),
      "--persist-to",
      state,
      "--test-scheduled",
      "--show-interactive-dev-session=false",
      "--var",
      `ADMIN_TOKEN:${adminToken}`,
      "--var",
      `RATE_LIMIT_SALT_SECRET:e2e-salt-${crypto.randomUUID()}`,
      // Every local request comes from the same (absent) address, so the tests of a file share
      // one client bucket; polling the stats would exhaust the default under load. The other
      // limits (install, app, tenant, failed tokens) keep their defaults.
      "--var",
      "RATE_LIMIT_CLIENT_CAPACITY:1000000",
      "--var",
      "RATE_LIMIT_CLIENT_PER_SECOND:100000",
      ...Object.entries(options.vars ?? {}).flatMap(([name, value]) => ["--var", `${name}:${value}`]),
    ],
    { cwd: root, env, stdio: ["ignore", "pipe", "pipe"], detached: true },
  );
  let output = "";
  child.stdout?.on("data", (chunk) => {
    output += chunk;
  });
  child.stderr?.on("data", (chunk) => {
    output += chunk;
  });

  const url = `http://127.0.0.1:${port}`;
  const deadline = Date.now() + 60_000;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`wrangler dev exited early:\n${output}`);
    try {
      if ((await fetch(`${url}/healthz`)).ok) break;
    } catch {
      // not listening yet
    }
    if (Date.now() > deadline) throw new Error(`wrangler dev did not become ready:\n${output}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }

  return {
    url,
    adminToken,
    async stop() {
      if (child.pid !== undefined && child.exitCode === null) {
        const exited = new Promise((resolve) => child.once("exit", resolve));
        process.kill(-child.pid, "SIGTERM"); // the whole group: wrangler and its workerd
        await Promise.race([exited, new Promise((resolve) => setTimeout(resolve, 5000))]);
        if (child.exitCode === null) process.kill(-child.pid, "SIGKILL");
      }
      rmSync(state, { recursive: true, force: true });
    },
  };
}
