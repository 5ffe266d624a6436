import { spawn } from "node:child_process";
import { mkdirSync, mkdtempSync, readFileSync, rmSync, symlinkSync, writeFileSync } from "node:fs";
import { createServer as createHttpServer, type Server } from "node:http";
import { createServer as createTcpServer, type Server as TcpServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { afterAll, beforeAll, describe, expect, it } from "vitest";

/**
 * The built package in a real Node process, against a collector that fails in each way the
 * network can: the process awaits flush() and shutdown() at top level and must exit 0 by
 * itself (a watchdog kills it otherwise), with the events counted as pending and kept in its
 * state file. The settle times it reports are printed (docs/CLIENT.md quotes them), never judged.
 */

const root = fileURLToPath(new URL("../..", import.meta.url));
const BOUND_MS = 2_000;
/** Far beyond the bounds (2 s + 2 s), far below what an unbounded client takes (Retry-After: an hour). */
const WATCHDOG_MS = 20_000;

const app = `
import { createClient } from "edgehog/client";
import { fileStorage } from "edgehog/client/node";
const [host, state] = process.argv.slice(2);
const client = createClient({ host, app: "teleport-connect", consent: "granted", storage: fileStorage(state), flushAt: 1000 });
for (const job_role of ["SRE", "Engineer", "Manager"]) client.capture("connect.user.job_role", { job_role });
let at = Date.now();
const flushed = await client.flush({ timeoutMs: ${BOUND_MS} });
const flushMs = Date.now() - at;
at = Date.now();
const shut = await client.shutdown({ timeoutMs: ${BOUND_MS} });
console.log(JSON.stringify({ flushed, shut, flushMs, shutdownMs: Date.now() - at }));
`;

/** getaddrinfo failing as it does for a name that does not exist, without asking any resolver. */
const noDns = `
import dns from "node:dns";
dns.lookup = (hostname, options, callback) =>
  (typeof options === "function" ? options : callback)(
    Object.assign(new Error(\`getaddrinfo ENOTFOUND \${hostname}\`), { code: "ENOTFOUND", hostname }),
  );
`;

interface Run {
  code: number | null;
  stdout: string;
  ms: number;
}

function runApp(dir: string, host: string, state: string, preload?: string): Promise<Run> {
  const started = Date.now();
  const args = [...(preload ? ["--import", preload] : []), join(dir, "app.mjs"), host, state];
  return new Promise((resolve) => {
    const child = spawn(process.execPath, args, { cwd: root, stdio: ["ignore", "pipe", "inherit"] });
    let stdout = "";
    child.stdout.on("data", (chunk) => {
      stdout += chunk;
    });
    const watchdog = setTimeout(() => child.kill("SIGKILL"), WATCHDOG_MS);
    child.once("close", (code) => {
      clearTimeout(watchdog);
      resolve({ code, stdout, ms: Date.now() - started });
    });
  });
}

const listen = (server: Server | TcpServer) =>
  new Promise<string>((resolve) =>
    server.listen(0, "127.0.0.1", () => {
      const address = server.address();
      resolve(`http://127.0.0.1:${typeof address === "object" && address ? address.port : 0}`);
    }),
  );

describe("the built client in a Node process, the collector failing", () => {
  let dir: string;
  const servers: (Server | TcpServer)[] = [];
  const hosts: Record<string, string> = {};
  const hanging = new Set<import("node:net").Socket>();
  beforeAll(async () => {
    // An app of its own, with the package (built by globalSetup) in its node_modules.
    dir = mkdtempSync(join(tmpdir(), "edgehog-bounded-"));
    mkdirSync(join(dir, "node_modules"));
    symlinkSync(join(root, "packages/client"), join(dir, "node_modules/edgehog"), "dir");
    writeFileSync(join(dir, "app.mjs"), app);
    writeFileSync(join(dir, "no-dns.mjs"), noDns);
    const closed = createTcpServer();
    hosts["collector down"] = await listen(closed);
    await new Promise((resolve) => closed.close(resolve));
    const answering = (code: number, headers: Record<string, string>, body: object) =>
      createHttpServer((_req, res) =>
        res.writeHead(code, { ...headers, "content-type": "application/json" }).end(JSON.stringify(body)),
      );
    const limited = answering(
      429,
      { "retry-after": "3600" },
      { error: "rate_limited", message: "slow down", limit: "app" },
    );
    const failing = answering(503, {}, { error: "storage_unavailable", message: "try later" });
    const silent = createTcpServer((socket) => hanging.add(socket)); // accepts, reads, never answers
    servers.push(limited, failing, silent);
    hosts["429, Retry-After an hour"] = await listen(limited);
    hosts["503"] = await listen(failing);
    hosts["accepts and never answers"] = await listen(silent);
    hosts["DNS failure"] = "http://collector.edgehog.invalid";
  });
  afterAll(async () => {
    for (const socket of hanging) socket.destroy();
    await Promise.all(servers.map((server) => new Promise((resolve) => server.close(resolve))));
    if (dir) rmSync(dir, { recursive: true, force: true });
  });

  it.each([
    "collector down",
    "429, Retry-After an hour",
    "503",
    "accepts and never answers",
    "DNS failure",
  ])("%s: exits 0 by itself, the 3 events pending and kept in the state file", async (failure) => {
    const state = join(dir, `${failure.replace(/\W+/g, "-")}.json`);
    const host = hosts[failure] ?? "";
    const run = await runApp(dir, host, state, failure === "DNS failure" ? join(dir, "no-dns.mjs") : undefined);
    expect(run.code).toBe(0);
    const printed = JSON.parse(run.stdout) as {
      flushed: { pending: number };
      shut: { pending: number };
      flushMs: number;
      shutdownMs: number;
    };
    expect(printed.flushed.pending).toBe(3);
    expect(printed.shut.pending).toBe(3);
    const saved = JSON.parse(readFileSync(state, "utf8")) as Record<string, string>;
    expect(JSON.parse(saved["edgehog.teleport-connect.queue"] ?? "[]")).toHaveLength(3);
    console.log(
      `${failure}: exit ${run.code}, flush ${printed.flushMs} ms, shutdown ${printed.shutdownMs} ms, process ${run.ms} ms (bounds ${BOUND_MS} + ${BOUND_MS} ms)`,
    );
  });
});
