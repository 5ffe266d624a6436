#!/usr/bin/env node
// A command-line tool with usage data, as tsh would have it (edgehog/client/node's CLI mode):
// the first run on a terminal asks once, the answer is kept in the configuration directory,
// each run spools its event in a fraction of a millisecond, and a detached process sends the
// spool at most once an hour, so the command never waits and nothing is printed unasked. A
// run with no terminal (CI, a pipe into it) never asks and never sends; DO_NOT_TRACK=1 or
// EXAMPLE_CLI_NO_TELEMETRY=1 means no. Run the collector (`npm start`), build the SDK once
// (`npm run build`), then:
//
//   node examples/cli.mjs ssh node-1           # the tool's work; asks the first time
//   node examples/cli.mjs telemetry on|off     # the answer, given another way
//   node examples/cli.mjs telemetry            # what this run would do, and why
//
// EDGEHOG_URL (default http://127.0.0.1:8787), EDGEHOG_CONFIG_DIR (default: the configuration
// directory's edgehog-example-cli/) and EDGEHOG_SEND_INTERVAL_MS (default an hour) change the defaults.
// The catalogue has no tsh app yet: the example reports Teleport Connect's events.
import os from "node:os";
import { createCliTelemetry } from "edgehog/client/node";

const telemetry = createCliTelemetry({
  host: process.env.EDGEHOG_URL ?? "http://127.0.0.1:8787",
  app: "teleport-connect",
  name: "edgehog-example-cli",
  optOutVariable: "EXAMPLE_CLI_NO_TELEMETRY",
  configDir: process.env.EDGEHOG_CONFIG_DIR || undefined,
  sendIntervalMs: Number(process.env.EDGEHOG_SEND_INTERVAL_MS ?? 3_600_000),
  // The cluster's id: the key of the digests. It is never sent.
  clusterKey: "7d3c1f0e-5b2a-4c8d-9e6f-0a1b2c3d4e5f",
  properties: { app_version: "17.0.1", os: process.platform, arch: os.arch() },
});

const [command = "help", ...args] = process.argv.slice(2);
if (command === "telemetry") {
  if (args[0] === "on" || args[0] === "off") telemetry.setConsent(args[0] === "on");
  console.log(`usage data: ${telemetry.consent} (${telemetry.reason})`);
  process.exit(0);
}
if (command !== "ssh") {
  console.log("usage: node examples/cli.mjs ssh <host> | telemetry [on|off]");
  process.exit(command === "help" ? 0 : 2);
}

await telemetry.askConsent();
console.log(`ssh ${args[0] ?? "node-1"}: connected`); // the tool's own work stands here
await telemetry.capture("connect.protocol.use", {
  cluster_name: "teleport.example.com",
  user_name: os.userInfo().username,
  protocol: "ssh",
  origin: "search_bar",
});
