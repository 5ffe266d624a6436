#!/usr/bin/env node
// A cluster's billing reporter: counts what users, resources and bots do, anonymized with the
// cluster's key, and sends it to edgehog with the tenant token. `npm start` prints a token for
// the "demo" tenant; build the SDK once (`npm run build`), then:
//
//   node examples/report-usage.mjs ehk_…
//
// No prompt here: usage reporting is the cluster operator's licence term, not a user's choice
// (see the README). EDGEHOG_URL changes the collector (default http://127.0.0.1:8787).
import { createUsageReporter } from "edgehog/client";

const token = process.argv[2] ?? process.env.EDGEHOG_TOKEN;
if (!token) {
  console.error("usage: node examples/report-usage.mjs <tenant token>   (npm start prints one)");
  process.exit(2);
}
const host = process.env.EDGEHOG_URL ?? "http://127.0.0.1:8787";
const reporter = createUsageReporter({
  host,
  token,
  clusterKey: "licence-anonymization-key-0f1e2d3c", // a licence's key, never sent
  clusterName: "teleport.example.com",
  hostId: "auth-server-1",
  onError: (error) => console.error(`  (edgehog: ${error.error}: ${error.message})`),
});

reporter.userActivity("alice", { logins: 1, ssh_sessions: 3 }, "human");
reporter.userActivity("bob", { logins: 1, db_sessions: 1 }, "human");
reporter.userActivity("carol", { kube_requests: 12 });
for (const node of ["node-1", "node-2", "node-3"]) reporter.resourceHeartbeat("node", node);
reporter.resourceHeartbeat("db_server", "postgres-prod");
reporter.botInstanceActivity("bot-instance-7f3a", "bot-ci", { bot_joins: 1, certificates_issued: 4 });

// The windows are still open (they close every 15 minutes and every hour): shutdown() reports them now.
const result = await reporter.shutdown();
console.log(
  `Sent ${result.sent} usage reports to ${host} (rejected ${result.rejected}, still waiting ${result.pending}).`,
);
