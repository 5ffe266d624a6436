#!/usr/bin/env node
// A desktop app's usage reporting, in a terminal: asks for consent the first time, remembers
// the answer, sends a few anonymized Teleport Connect events to a local edgehog, and can
// forget this install. Run the collector (`npm start`), build the SDK once (`npm run build`), then:
//
//   node examples/send-events.mjs              # asks the first time, then sends
//   node examples/send-events.mjs --forget     # "Delete my usage data"
//   node examples/send-events.mjs --reset      # forget the answer too: you are asked again
//
// EDGEHOG_URL (default http://127.0.0.1:8787) and EDGEHOG_STATE (where the answer, the install
// id and unsent events are kept; default in the system's temp directory) change the defaults.
import { rmSync } from "node:fs";
import os from "node:os";
import path from "node:path";
import { createInterface } from "node:readline/promises";
import { createClient } from "edgehog/client";
import { fileStorage } from "edgehog/client/node";

const host = process.env.EDGEHOG_URL ?? "http://127.0.0.1:8787";
const state = process.env.EDGEHOG_STATE ?? path.join(os.tmpdir(), "edgehog-example", "state.json");
if (process.argv.includes("--reset")) rmSync(state, { force: true });

const client = createClient({
  host,
  app: "teleport-connect",
  storage: fileStorage(state),
  // The cluster's id (Teleport Connect gets it from the Auth Service): the key of the digests. It is never sent.
  clusterKey: "7d3c1f0e-5b2a-4c8d-9e6f-0a1b2c3d4e5f",
  properties: { app_version: "17.0.1", os: process.platform, arch: os.arch(), os_version: os.release() },
  onError: (error) => console.error(`  (edgehog: ${error.error}: ${error.message})`),
});

if (process.argv.includes("--forget")) {
  const deleted = await client.forget();
  console.log(
    `Asked ${host} to forget this install: ${deleted.events} raw events and ${deleted.installDays} daily rows deleted` +
      " (and any still on their way to storage discarded).",
  );
  console.log(client.distinctId ? `New install id: ${client.distinctId}` : "No install id is kept.");
  process.exit(0);
}

if (client.consent === "unknown") {
  // The opt-in prompt: Allow / Decline; dismissing it (Enter, Ctrl-D) decides nothing, so it comes back next launch.
  const prompt = createInterface({ input: process.stdin, output: process.stdout });
  const answer = await prompt
    .question(
      "Are you OK sending anonymized usage data about Teleport Connect? This will help us improve the product.\n" +
        "[a] Allow  [d] Decline  (Enter: ask me next time) ",
    )
    .catch(() => "");
  prompt.close();
  if (/^a/i.test(answer.trim())) client.setConsent(true);
  else if (/^d/i.test(answer.trim())) client.setConsent(false);
}

if (client.consent !== "granted") {
  console.log(
    client.consent === "denied"
      ? "Usage data is off: nothing is collected or sent. (Run with --reset to be asked again.)"
      : "No answer: nothing is collected. You will be asked again next time.",
  );
  process.exit(0);
}

// What the app does, as events. Cluster and user names are given plain: the SDK sends their HMACs.
const names = { cluster_name: "teleport.example.com", user_name: "alice@example.com" };
client.capture("connect.cluster.login", { ...names, connector_type: "github" });
client.capture("connect.protocol.use", { ...names, protocol: "ssh", origin: "resource_table" });
client.capture("connect.protocol.use", { ...names, protocol: "db", origin: "search_bar" });
client.capture("connect.fileTransfer.run", { ...names, is_upload: true });

const result = await client.shutdown();
console.log(
  `Sent ${result.sent} events to ${host} as install ${client.distinctId} ` +
    `(rejected ${result.rejected}, dropped ${result.dropped}, still waiting ${result.pending}).`,
);
