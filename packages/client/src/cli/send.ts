import { sendSpool } from "./spool.js";

/**
 * The CLI mode's background sender as a script: `node cli-send.js '<job as JSON>'`, started
 * detached by `createCliTelemetry` with its output ignored. It never prints and exits 0: what
 * was not sent stays saved for the next send.
 */
let job: unknown;
try {
  job = JSON.parse(process.argv[2] ?? "");
} catch {
  job = undefined;
}
if (job) sendSpool(job as Parameters<typeof sendSpool>[0]).catch(() => {});
