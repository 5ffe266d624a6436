#!/usr/bin/env node
// `npm run redrive [-- --list] [--queue <queue>] [--url <collector>]`: sends the dead letters
// parked in D1 back to their queue, 100 at a time until none is left, through the operator API
// (POST /v1/admin/dead-letters/redrive). The consumer stores each event once, however often a
// message is replayed. `--list` only shows what is parked.
import { parseCommandLine, runScript } from "./lib/cli.mjs";
import { adminTokenFor, LOCAL_URL, operatorApi } from "./lib/operator-api.mjs";

const HELP = `usage: npm run redrive -- [--list] [--queue <queue>] [--url <collector>]
  (default)         send every message parked for the queue back to it, 100 at a time
  --list            only show what is parked, oldest first
  --queue <queue>   edgehog-events (default), edgehog-forward or edgehog-webhooks
  --url <collector> default ${LOCAL_URL} (npm start); the operator token comes from
                    EDGEHOG_ADMIN_TOKEN or ADMIN_TOKEN (locally: ADMIN_TOKEN in .dev.vars)`;

const { values } = parseCommandLine(HELP, {
  options: {
    url: { type: "string", default: LOCAL_URL },
    queue: { type: "string", default: "edgehog-events" },
    list: { type: "boolean", default: false },
  },
});

await runScript(HELP, async () => {
  const call = operatorApi(values.url, adminTokenFor(values.url));
  if (values.list) {
    const { parked, oldest } = await call("GET", `/dead-letters?queue=${encodeURIComponent(values.queue)}`);
    if (parked.length === 0) console.log("nothing is parked");
    for (const queue of parked) console.log(`${queue.queue}: ${queue.messages} parked since ${queue.oldest_parked_at}`);
    for (const message of oldest)
      console.log(`  ${message.id}  ${message.attempts} attempts  parked ${message.parked_at}  ${message.bytes} bytes`);
    return;
  }
  let total = 0;
  for (;;) {
    const { redriven, still_parked } = await call("POST", "/dead-letters/redrive", { queue: values.queue });
    total += redriven;
    if (redriven === 0 || still_parked === 0) break;
  }
  console.log(`re-drove ${total} parked messages to ${values.queue}`);
});
