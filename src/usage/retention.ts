import { z } from "zod";
import { DAY_MS } from "../lib/time";
import { varsReader } from "../lib/vars";
import { closedThrough } from "./fold";
import { MAX_REPORT_AGE_MS } from "./validate";

/**
 * Retention of raw usage reports (hourly cron). A report is deleted once its window started more
 * than USAGE_REPORT_RETENTION_DAYS ago **and** its billing period is final: until then it may
 * still be needed to explain or rebuild figures that can change. The aggregates and the billing
 * figures are kept. The retention must exceed the age beyond which the tenant's doors refuse
 * reports (`too_old`), and it is the age bound of an operator's backfill (backfill-routes.ts), so that a
 * report can never be accepted again once its row is gone: `report_uuid` dedupes only while the
 * row exists.
 */

const MIN_RETENTION_DAYS = MAX_REPORT_AGE_MS / DAY_MS + 1;

export const usageReportRetentionDaysOf = varsReader(
  "usage report retention",
  z
    .object({
      USAGE_REPORT_RETENTION_DAYS: z.coerce
        .number()
        .int()
        .min(MIN_RETENTION_DAYS, `must be at least ${MIN_RETENTION_DAYS} days, more than reports may be late`)
        .default(400),
    })
    .transform((v) => v.USAGE_REPORT_RETENTION_DAYS),
);

/** Reports deleted per statement (rows are large: a report's JSON is up to 600 kB). */
const DELETE_CHUNK = 500;
/** Statements per run; whatever is left is deleted on the next hourly run. */
const MAX_CHUNKS_PER_RUN = 40;

const PURGE = `
DELETE FROM usage_reports WHERE (tenant_id, report_uuid) IN (
  SELECT u.tenant_id, u.report_uuid FROM usage_reports AS u
  WHERE u.start_time < ?1
    AND ${closedThrough("u.tenant_id", "substr(u.hour, 1, 10)", true)}
  LIMIT ?2)`;

/** Deletes the raw reports past retention whose period is final; resolves to how many. */
export async function purgeUsageReports(db: D1Database, now: number, retentionDays: number): Promise<number> {
  const cutoff = now - retentionDays * DAY_MS;
  let deleted = 0;
  for (let i = 0; i < MAX_CHUNKS_PER_RUN; i++) {
    const { meta } = await db.prepare(PURGE).bind(cutoff, DELETE_CHUNK).run();
    deleted += meta.changes;
    if (meta.changes < DELETE_CHUNK) break;
  }
  return deleted;
}
