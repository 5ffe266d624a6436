import { purgeExpired } from "./aggregate/retention";
import { scrubArchive } from "./archive/scrub";
import { emitBillingEvents } from "./billing/alerts";
import { computeBilling } from "./billing/compute";
import { billingGraceDaysOf } from "./billing/report-bounds";
import { flagSilences, reportingSilenceHoursOf } from "./billing/reporting";
import { dispatchEvents } from "./billing/webhooks/outbox";
import { purgeTombstones } from "./forget/purge";
import { purgeForwardedBefore } from "./forward/store";
import { ingestLimitsOf } from "./ingest/limits";
import { DAY_MS } from "./lib/time";
import { recordCronRun } from "./stats/health";
import { purgeUsageReports, usageReportRetentionDaysOf } from "./usage/retention";

/**
 * The cron (see `[triggers]` in wrangler.toml): each feature's periodic job. The jobs are
 * independent: one failing does not stop the other, but the run still fails so the cron shows it.
 */
export async function runScheduled(controller: ScheduledController, env: Env): Promise<void> {
  const now = controller.scheduledTime;
  const jobs: [string, () => Promise<string>][] = [
    [
      "retention",
      async () => {
        const purged = await purgeExpired(env, now);
        // Forwarding's ledger of uuids covers the same window as the raw events.
        const rawCutoff = now - ingestLimitsOf(env).RAW_EVENT_RETENTION_DAYS * DAY_MS;
        purged.forwarded_ids = await purgeForwardedBefore(env.DB, rawCutoff);
        return `purged ${Object.entries(purged)
          .map(([rows, n]) => `${n} ${rows}`)
          .join(", ")}`;
      },
    ],
    [
      "archive",
      async () => {
        const run = await scrubArchive(env.DB, env.ARCHIVE);
        const paused = run.paused ? "; a day is half done, the next run goes on" : "";
        return `forgotten installs removed from ${run.days} archive days: ${run.objectsRead} objects read, ${run.eventsRemoved} events removed, ${run.objectsRewritten} objects rewritten, ${run.objectsDeleted} deleted${paused}`;
      },
    ],
    // After the archive: a rewrite finished this run no longer holds its tombstone.
    ["tombstones", async () => `purged ${await purgeTombstones(env, now)} tombstones that can no longer matter`],
    [
      "billing",
      async () => {
        const run = await computeBilling(env.DB, now, billingGraceDaysOf(env));
        const skipped =
          run.tenantsSkipped.length > 0
            ? `; skipped (term breaks from the final periods): ${run.tenantsSkipped.join(", ")}`
            : "";
        return `${run.periodsComputed} tenant-periods computed for ${run.tenants} tenants, ${run.periodsFinalized} final${skipped}`;
      },
    ],
    // After the figures: thresholds crossed and periods made final, then silences, then the
    // webhooks all of them wrote (each written with what it tells, so a failed step loses none).
    [
      "billing-alerts",
      async () => {
        const added = await emitBillingEvents(env.DB, now);
        return `${added.thresholds} thresholds crossed, ${added.finals} periods announced final`;
      },
    ],
    [
      "reporting",
      async () => {
        const flagged = await flagSilences(env.DB, now, reportingSilenceHoursOf(env));
        return `${flagged.silent} silences flagged, ${flagged.resumed} cleared`;
      },
    ],
    [
      "webhooks",
      async () => {
        const sent = await dispatchEvents(env, now);
        return `${sent.events} events queued as ${sent.messages} webhooks`;
      },
    ],
    [
      "usage-retention",
      async () => `purged ${await purgeUsageReports(env.DB, now, usageReportRetentionDaysOf(env))} raw usage reports`,
    ],
  ];
  const failures: unknown[] = [];
  for (const [name, job] of jobs) {
    const startedAt = Date.now();
    let ok = true;
    let summary: string;
    try {
      summary = await job();
      console.log(`${name}: ${summary}`);
    } catch (err) {
      console.error(`${name} failed`, err);
      failures.push(err);
      ok = false;
      summary = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
    }
    // The record is for the operator's health page; a failure to write it fails no job.
    await recordCronRun(env.DB, { job: name, startedAt, finishedAt: Date.now(), ok, summary }).catch((err) =>
      console.error(`recording the ${name} run failed`, err),
    );
  }
  if (failures.length > 0) throw new AggregateError(failures, "a scheduled job failed");
}
