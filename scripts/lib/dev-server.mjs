// @ts-check
// `wrangler dev` without its inspector: the bench's servers. wrangler dev always attaches its
// inspector proxy to the Worker and turns on the DevTools Network domain, so every subrequest
// the Worker makes (a local D1 query is one) is reported to wrangler's Node process, which
// formats it and appends it to its debug log file: CPU on both cores per D1 call, which no
// deployed Worker pays, and which weighs on a Worker that queries D1 on every request (the
// direct-bulk baseline) far more than on one that does not. wrangler's own API starts the same
// Worker, build and local bindings with the inspector off. Started by the launcher
// (./wrangler-dev.mjs, `inspector: false`), one JSON argument:
//   { config, ip, port, persistTo?, vars?, logLevel? }
// It prints "Ready on <url>" once the Worker is up, and stops it on SIGTERM or SIGINT.
import { unstable_startWorker } from "wrangler";

const options = JSON.parse(process.argv[2] ?? "{}");

try {
  const worker = await unstable_startWorker({
    config: options.config,
    bindings: Object.fromEntries(
      Object.entries(options.vars ?? {}).map(([name, value]) => [name, { type: "plain_text", value: String(value) }]),
    ),
    dev: {
      server: { hostname: options.ip, port: options.port },
      inspector: false,
      ...(options.persistTo ? { persist: options.persistTo } : {}),
      liveReload: false,
      watch: false,
      logLevel: options.logLevel ?? "warn",
    },
  });
  await worker.ready;
  console.log(`Ready on http://${options.ip}:${options.port}`);
  let stopping = false;
  const stop = () => {
    if (stopping) return;
    stopping = true;
    worker.dispose().finally(() => process.exit(0));
  };
  process.once("SIGTERM", stop);
  process.once("SIGINT", stop);
} catch (err) {
  // The cause chain carries workerd's own words ("Address already in use"), which the launcher reads.
  for (let e = err; e; e = e instanceof Error ? e.cause : undefined) console.error(e instanceof Error ? e.stack : e);
  process.exit(1);
}
