#!/usr/bin/env node
// `npm run bench:cli`: what the CLI mode adds to a command. The wall time of examples/cli.mjs
// capturing one event (consent granted, on a terminal that `script` provides), against the same
// work without the SDK: the median of 20 runs each, alternated, plus the run that starts the
// background sender (once per interval); and the time `capture()` takes to spool an event, in
// process. Needs the SDK built (`npm run build`). Sends go to a closed port: nothing leaves.
import { execFileSync } from "node:child_process";
import { mkdtempSync, rmSync } from "node:fs";
import { createServer } from "node:net";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import { parseCommandLine } from "../../scripts/lib/cli.mjs";

const { values } = parseCommandLine(
  `usage: npm run bench:cli [-- --runs=N]
  The wall time examples/cli.mjs adds to a command with one event (median of N runs, 20 by default).`,
  { options: { runs: { type: "string", default: "20" } } },
);
const runs = Number(values.runs);
const root = fileURLToPath(new URL("../..", import.meta.url));
const home = mkdtempSync(join(tmpdir(), "edgehog-bench-cli-"));
const closed = createServer();
await new Promise((resolve) => closed.listen(0, "127.0.0.1", resolve));
const port = closed.address().port;
await new Promise((resolve) => closed.close(resolve));

const env = (extra) => ({
  ...process.env,
  EDGEHOG_URL: `http://127.0.0.1:${port}`,
  EDGEHOG_CONFIG_DIR: join(home, "config"),
  DO_NOT_TRACK: "",
  EXAMPLE_CLI_NO_TELEMETRY: "",
  CI: "",
  ...extra,
});
/** One run on a pseudo-terminal, in ms. */
const timed = (script, extra = {}) => {
  const started = process.hrtime.bigint();
  execFileSync("script", ["-qec", `${process.execPath} ${script} ssh node-1`, "/dev/null"], {
    cwd: root,
    env: env(extra),
    stdio: ["ignore", "ignore", "inherit"],
  });
  return Number(process.hrtime.bigint() - started) / 1e6;
};
const median = (xs) => {
  const sorted = [...xs].sort((a, b) => a - b);
  const mid = sorted.length >> 1;
  return sorted.length % 2 ? sorted[mid] : (sorted[mid - 1] + sorted[mid]) / 2;
};

try {
  execFileSync(process.execPath, ["examples/cli.mjs", "telemetry", "on"], { cwd: root, env: env({}) });
  timed("examples/cli.mjs"); // the first run starts the sender and marks the interval
  const without = [];
  const withSdk = [];
  const withSend = [];
  for (let i = 0; i < runs; i++) {
    without.push(timed("bench/cli/without-sdk.mjs"));
    withSdk.push(timed("examples/cli.mjs")); // a send is not due: spooled only
    withSend.push(timed("examples/cli.mjs", { EDGEHOG_SEND_INTERVAL_MS: "0" })); // starts the detached sender
  }
  const { createCliTelemetry } = await import("edgehog/client/node");
  const telemetry = createCliTelemetry({
    host: `http://127.0.0.1:${port}`,
    app: "teleport-connect",
    name: "bench",
    optOutVariable: "BENCH_NO_TELEMETRY",
    configDir: join(home, "in-process"),
    env: {},
    input: Object.assign(process.stdin, { isTTY: true }),
    output: Object.assign(process.stderr, { isTTY: true }),
    senderScript: false,
    clusterKey: "bench-cluster",
  });
  telemetry.setConsent(true);
  const spool = [];
  for (let i = 0; i < 1000; i++) {
    const started = process.hrtime.bigint();
    await telemetry.capture("connect.protocol.use", { cluster_name: "c", user_name: `u${i}`, protocol: "ssh" });
    spool.push(Number(process.hrtime.bigint() - started) / 1e6);
  }
  const ms = (x) => `${x.toFixed(1)} ms`;
  console.log(`runs: ${runs} of each, alternated, on a pseudo-terminal`);
  console.log(`without the SDK:                    median ${ms(median(without))}`);
  console.log(
    `with the SDK, one event spooled:    median ${ms(median(withSdk))} (+${ms(median(withSdk) - median(without))})`,
  );
  console.log(
    `with the SDK, the sender started:   median ${ms(median(withSend))} (+${ms(median(withSend) - median(without))})`,
  );
  console.log(
    `capture() to the spool, in process: median ${(median(spool) * 1000).toFixed(0)} µs, p99 ${(spool.sort((a, b) => a - b)[989] * 1000).toFixed(0)} µs (1000 events)`,
  );
} finally {
  rmSync(home, { recursive: true, force: true });
}
