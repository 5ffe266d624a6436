#!/usr/bin/env node
// `npm run redrive [-- --list] [--queue <queue>] [--url <collector>]`: sends the dead letters
// parked in D1 back to their queue, 100 at a time until none is left, through the operator API
// (POST /v1/admin/dead-letters/redrive). The consumer stores each event once, however often a
// message is replayed. `--list` only shows what is parked.
import { parseArgs } from "node:util";
import { adminTokenFor, operatorApi } from "./tenant.mjs";

const { values } = parseArgs({
  options: {
    url: { type: "string", default: `http://127.0.0.1:${process.env.PORT ?? "8787"}` },
    queue: { type: "string", default: "edgehog-events" },
    list: { type: "boolean", default: false },
  },
});

try {
  const call = operatorApi(values.url, adminTokenFor(values.url));
  if (values.list) {
    const { parked, oldest } = await call("GET", `/dead-letters?queue=${encodeURIComponent(values.queue)}`);
    if (parked.length === 0) console.log("nothing is parked");
    for (const queue of parked) console.log(`${queue.queue}: ${queue.messages} parked since ${queue.oldest_parked_at}`);
    for (const message of oldest)
      console.log(`  ${message.id}  ${message.attempts} attempts  parked ${message.parked_at}  ${message.bytes} bytes`);
  } else {
    let total = 0;
    for (;;) {
      const { redriven, still_parked } = await call("POST", "/dead-letters/redrive", { queue: values.queue });
      total += redriven;
      if (redriven === 0 || still_parked === 0) break;
    }
    console.log(`re-drove ${total} parked messages to ${values.queue}`);
  }
} catch (err) {
  console.error(err.message);
  process.exitCode = 1;
}
