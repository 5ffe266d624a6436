import { z } from "zod";
import { type Judged, judgeEach, refuse, type Verdict } from "../http/judge";
import { assertWithinCap } from "../http/list-cap";
import { parseOrThrow } from "../http/validation";
import { MAX_JSON_DEPTH, measureJson } from "../lib/json-size";
import { DAY_MS, HOUR_MS, MINUTE_MS, utcDay, utcHour } from "../lib/time";
import { randomUuid } from "../privacy/ids";
import {
  MAX_IDS_PER_RESOURCE_KIND,
  MAX_RECORDS_PER_REPORT,
  MAX_REPORT_BYTES,
  MAX_REPORTS_PER_REQUEST,
  MAX_WINDOW_MS,
  NOT_ANONYMIZED,
  reportSchema,
  type UsageReport,
} from "./schema";

/**
 * Judges a `POST /v1/usage` body. The whole request is refused only when its envelope is
 * unusable; otherwise every report is accepted or rejected on its own (http/judge.ts).
 */

/** A report may start at most this far ahead of the collector's clock (clock skew). */
const MAX_FUTURE_START_MS = HOUR_MS;
/**
 * A report may start at most this long ago on the tenant's own doors: a reporter resends what
 * it could not deliver for a few weeks at most, and a month that old is final. Older reports
 * are refused there; an operator can still backfill them (backfill-routes.ts), and what is stored for
 * a final period is late, never counted. Reports from before the tenant's billing start (its
 * term start, or its first period's: src/billing/report-bounds.ts) are refused everywhere: they
 * would bill a tenant for a time it was not one.
 */
export const MAX_REPORT_AGE_MS = 35 * DAY_MS;

const INVALID_UUID_MESSAGE =
  "report_uuid must be a random UUID (version 4 or 7), never one that embeds a MAC address, a time or a name, nor the nil or max UUID";

/** A report that passed every check, with its window resolved to ms and UTC buckets. */
export interface ValidatedReport {
  /** Its position in the request. */
  index: number;
  report: UsageReport;
  startMs: number;
  endMs: number;
  /** UTC hour of the window start, `YYYY-MM-DDTHH`: the hour resources are counted in. */
  hour: string;
  /** UTC day of the window start, `YYYY-MM-DD`: the day users and bots are counted on. */
  day: string;
}

export type ValidatedReports = Judged<ValidatedReport, "report_uuid"> & {
  /** How many reports the request carried. */
  total: number;
};

const envelopeSchema = z.object({
  reports: z.array(z.unknown()).min(1, "send at least one report"),
});

/**
 * Judges every report of the body received at `now`. A report may start no earlier than
 * `earliestStart` (ms: the tenant's billing start) and at most `maxAgeMs` ago (more only when
 * an operator backfills).
 */
export function validateReports(
  body: unknown,
  now: number,
  earliestStart: number,
  maxAgeMs = MAX_REPORT_AGE_MS,
): ValidatedReports {
  const list = body !== null && typeof body === "object" && "reports" in body ? body.reports : undefined;
  assertWithinCap(list, MAX_REPORTS_PER_REQUEST, "too_many_reports", "reports");
  const { reports } = parseOrThrow(envelopeSchema, body, "invalid_body", '{ "reports": [ … ] }');
  return {
    ...judgeEach(reports, "report_uuid", (raw, index) => validateReport(raw, index, now, { earliestStart, maxAgeMs })),
    total: reports.length,
  };
}

function validateReport(
  raw: unknown,
  index: number,
  now: number,
  bounds: { earliestStart: number; maxAgeMs: number },
): Verdict<ValidatedReport> {
  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    return refuse("invalid_report", "a report must be a JSON object");
  }
  const tooMany = oversizedList(raw);
  if (tooMany) return refuse("too_many_records", tooMany.message, tooMany.field);
  const bytes = measureJson(raw, MAX_REPORT_BYTES);
  if (bytes === undefined) return refuse("invalid_report", `the report nests more than ${MAX_JSON_DEPTH} levels deep`);
  if (bytes > MAX_REPORT_BYTES) {
    return refuse(
      "report_too_large",
      `the report is ${bytes} bytes of JSON; at most ${MAX_REPORT_BYTES} are allowed, split it`,
    );
  }

  const parsed = reportSchema.safeParse(raw);
  if (!parsed.success) {
    // A plain name anywhere is the problem worth naming first, whatever else is wrong.
    const issues = parsed.error.issues;
    const plain = issues.find(isNotAnonymizedIssue);
    const issue = plain ?? issues[0];
    const field = issue?.path.join(".") || undefined;
    if (field === "report_uuid") return refuse("invalid_uuid", INVALID_UUID_MESSAGE, field);
    const message = issue ? `${field ?? "report"}: ${issue.message}` : "invalid report";
    return refuse(plain ? NOT_ANONYMIZED : "invalid_report", message, field);
  }
  // The schema takes any UUID, as stored reports were taken (replay.ts parses them again); a
  // report arriving now must carry a random one: v4 or v7, not nil, max or low-entropy.
  const reportUuid = randomUuid(parsed.data.report_uuid);
  if (!reportUuid) return refuse("invalid_uuid", INVALID_UUID_MESSAGE, "report_uuid");
  const report = { ...parsed.data, report_uuid: reportUuid };

  const startMs = Date.parse(report.start_time);
  const maxWindow = MAX_WINDOW_MS[report.kind];
  const endMs = report.end_time === undefined ? startMs + maxWindow : Date.parse(report.end_time);
  if (endMs <= startMs) return refuse("invalid_window", "end_time must be after start_time", "end_time");
  if (endMs - startMs > maxWindow) {
    return refuse(
      "window_too_long",
      `a ${report.kind} report covers at most ${maxWindow / MINUTE_MS} minutes; this one covers ${Math.ceil((endMs - startMs) / MINUTE_MS)}`,
      "end_time",
    );
  }
  if (startMs - now > MAX_FUTURE_START_MS) {
    return refuse("invalid_window", "start_time is in the future; check the reporting host's clock", "start_time");
  }
  if (now - startMs > bounds.maxAgeMs) {
    const hint = bounds.maxAgeMs === MAX_REPORT_AGE_MS ? " (an operator can backfill older reports)" : "";
    return refuse(
      "too_old",
      `start_time is more than ${bounds.maxAgeMs / DAY_MS} days ago; it is not stored${hint}`,
      "start_time",
    );
  }
  if (startMs < bounds.earliestStart) {
    return refuse(
      "before_tenant",
      `start_time is before ${utcDay(bounds.earliestStart)}, when the tenant's billing began (its term start or its first period); it is not stored`,
      "start_time",
    );
  }
  return {
    ok: true,
    id: report.report_uuid,
    value: { index, report, startMs, endMs, hour: utcHour(startMs), day: utcDay(startMs) },
  };
}

function isNotAnonymizedIssue(issue: z.core.$ZodIssue): boolean {
  return issue.code === "custom" && (issue.params as { code?: unknown } | undefined)?.code === NOT_ANONYMIZED;
}

/** Checks list lengths before the schema walks the lists. */
function oversizedList(raw: object): { field: string; message: string } | undefined {
  if ("records" in raw && Array.isArray(raw.records) && raw.records.length > MAX_RECORDS_PER_REPORT) {
    return { field: "records", message: `a report may carry at most ${MAX_RECORDS_PER_REPORT} records; split it` };
  }
  if ("resources" in raw && Array.isArray(raw.resources)) {
    for (const [i, group] of raw.resources.entries()) {
      if (group !== null && typeof group === "object" && "ids" in group && Array.isArray(group.ids)) {
        if (group.ids.length > MAX_IDS_PER_RESOURCE_KIND) {
          return {
            field: `resources.${i}.ids`,
            message: `a resource kind may list at most ${MAX_IDS_PER_RESOURCE_KIND} ids per report; split it`,
          };
        }
      }
    }
  }
  return undefined;
}
