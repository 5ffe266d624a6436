import { z } from "zod";
import { ApiError } from "../http/errors";
import { assertListWithinCap } from "../http/list-cap";
import {
  MAX_IDS_PER_RESOURCE_KIND,
  MAX_RECORDS_PER_REPORT,
  MAX_REPORT_BYTES,
  MAX_REPORTS_PER_REQUEST,
  MAX_WINDOW_MS,
  NOT_ANONYMIZED,
  reportSchema,
  type UsageReport,
} from "./report-schema";

/** A report may start at most this far ahead of the collector's clock (clock skew). */
const MAX_FUTURE_START_MS = 60 * 60_000;

export interface ReportRejection {
  index: number;
  report_uuid?: string;
  error: string;
  field?: string;
  message: string;
}

/** A report that passed every check, with its window resolved to ms and UTC buckets. */
export interface ValidatedReport {
  report: UsageReport;
  startMs: number;
  endMs: number;
  /** UTC hour of the window start, `YYYY-MM-DDTHH`: the hour resources are counted in. */
  hour: string;
  /** UTC day of the window start, `YYYY-MM-DD`: the day users and bots are counted on. */
  day: string;
}

export interface ValidatedReports {
  reports: ValidatedReport[];
  rejected: ReportRejection[];
  /** Reports whose uuid appeared earlier in the same request. */
  duplicates: number;
  /** How many reports the request carried. */
  total: number;
}

const envelopeSchema = z.object({
  reports: z.array(z.unknown()).min(1, "send at least one report"),
});

/**
 * Judges a request body. The whole request is refused only when its envelope is unusable;
 * otherwise every report is accepted or rejected on its own.
 */
export function validateReports(body: unknown, now: number): ValidatedReports {
  assertListWithinCap(body, "reports", MAX_REPORTS_PER_REQUEST, "too_many_reports", "reports");
  const envelope = envelopeSchema.safeParse(body);
  if (!envelope.success) {
    const issue = envelope.error.issues[0];
    throw new ApiError(
      400,
      "invalid_body",
      `${issue?.path.join(".") || "body"}: ${issue?.message ?? "invalid"} (expected { "reports": [ … ] })`,
    );
  }

  const result: ValidatedReports = { reports: [], rejected: [], duplicates: 0, total: envelope.data.reports.length };
  const seen = new Set<string>();
  envelope.data.reports.forEach((raw, index) => {
    const outcome = validateReport(raw, index, now);
    if ("error" in outcome) {
      result.rejected.push(outcome);
    } else if (seen.has(outcome.report.report_uuid)) {
      result.duplicates++;
    } else {
      seen.add(outcome.report.report_uuid);
      result.reports.push(outcome);
    }
  });
  return result;
}

function validateReport(raw: unknown, index: number, now: number): ValidatedReport | ReportRejection {
  const claimedUuid = uuidOf(raw);
  const reject = (error: string, message: string, field?: string): ReportRejection => ({
    index,
    ...(claimedUuid ? { report_uuid: claimedUuid } : {}),
    error,
    ...(field ? { field } : {}),
    message,
  });

  if (raw === null || typeof raw !== "object" || Array.isArray(raw)) {
    return reject("invalid_report", "a report must be a JSON object");
  }
  const tooMany = oversizedList(raw);
  if (tooMany) return reject("too_many_records", tooMany.message, tooMany.field);
  const bytes = JSON.stringify(raw).length;
  if (bytes > MAX_REPORT_BYTES) {
    return reject(
      "report_too_large",
      `the report is ${bytes} characters of JSON; at most ${MAX_REPORT_BYTES} are allowed, split it`,
    );
  }

  const parsed = reportSchema.safeParse(raw);
  if (!parsed.success) {
    // A plain name anywhere is the problem worth naming first, whatever else is wrong.
    const issues = parsed.error.issues;
    const plain = issues.find(isNotAnonymizedIssue);
    const issue = plain ?? issues[0];
    const field = issue?.path.join(".") || undefined;
    const message = issue ? `${field ?? "report"}: ${issue.message}` : "invalid report";
    return reject(plain ? NOT_ANONYMIZED : "invalid_report", message, field);
  }
  const report = { ...parsed.data, report_uuid: parsed.data.report_uuid.toLowerCase() };

  const startMs = Date.parse(report.start_time);
  const maxWindow = MAX_WINDOW_MS[report.kind];
  const endMs = report.end_time === undefined ? startMs + maxWindow : Date.parse(report.end_time);
  if (endMs <= startMs) return reject("invalid_window", "end_time must be after start_time", "end_time");
  if (endMs - startMs > maxWindow) {
    return reject(
      "window_too_long",
      `a ${report.kind} report covers at most ${maxWindow / 60_000} minutes; this one covers ${Math.ceil((endMs - startMs) / 60_000)}`,
      "end_time",
    );
  }
  if (startMs - now > MAX_FUTURE_START_MS) {
    return reject("invalid_window", "start_time is in the future; check the reporting host's clock", "start_time");
  }
  const iso = new Date(startMs).toISOString();
  return { report, startMs, endMs, hour: iso.slice(0, 13), day: iso.slice(0, 10) };
}

function isNotAnonymizedIssue(issue: z.core.$ZodIssue): boolean {
  return issue.code === "custom" && (issue.params as { code?: unknown } | undefined)?.code === NOT_ANONYMIZED;
}

/** The report's uuid if it claims a well-formed one, to echo back in a rejection. */
function uuidOf(raw: unknown): string | undefined {
  if (raw === null || typeof raw !== "object" || !("report_uuid" in raw)) return undefined;
  const uuid = raw.report_uuid;
  return typeof uuid === "string" && z.uuid().safeParse(uuid).success ? uuid.toLowerCase() : undefined;
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
