import { z } from "zod";
import type { ItemErrorCode } from "../http/error-codes";
import { rfc3339 } from "../http/schemas";
import { isDigest } from "../privacy/digest";
import {
  AUDIT_LOG_PROVIDERS,
  BOT_COUNTERS,
  GRAPH_PROVIDERS,
  RESOURCE_KINDS,
  SUMMARY_SESSION_TYPES,
  UNLISTED_VALUE,
  USER_COUNTERS,
  USER_ORIGINS,
} from "./vocabulary";

/**
 * Usage reports, modelled on Teleport's aggregated `prehog.v1` reports. Every name and id is
 * an HMAC digest computed by the reporting cluster; the collector never sees a plain one.
 */

export const NOT_ANONYMIZED = "not_anonymized" satisfies ItemErrorCode;

/** At most this many reports per request, as Teleport's submitter sends. */
export const MAX_REPORTS_PER_REQUEST = 10;
/** Records per report. Teleport splits reports at 128 KiB of protobuf, far fewer records. */
export const MAX_RECORDS_PER_REPORT = 2_000;
/** Resource kinds listed in one resource-presence report (the same kind may repeat). */
export const MAX_RESOURCE_GROUPS = 32;
/** Ids per resource kind in one report. */
export const MAX_IDS_PER_RESOURCE_KIND = 10_000;
/** One report as JSON: the raw report is stored as one D1 row, and a row is at most 1 MB. */
export const MAX_REPORT_BYTES = 600_000;

/** Providers listed in one Identity Security report, per list (Teleport knows eight). */
export const MAX_PROVIDER_RECORDS = 64;

/** The longest window each kind of report may cover (the SDK's reporter closes its windows by it). */
export { MAX_WINDOW_MS } from "./vocabulary";

const digest = z
  .string()
  .max(64)
  .refine(isDigest, {
    message:
      "must be an HMAC-SHA256 digest (44 characters of standard base64); anonymize it in the cluster, never send the plain value",
    params: { code: NOT_ANONYMIZED },
  });

/** A counter: a non-negative integer that fits D1's INTEGER comfortably; missing means 0. */
const counter = z
  .number()
  .int()
  .nonnegative()
  .max(2 ** 31 - 1)
  .default(0);

const reportHeader = {
  report_uuid: z.uuid(),
  cluster_name: digest,
  reporter_hostid: digest,
  /** Start of the window the report covers. */
  start_time: rfc3339,
  /** End of the window; when absent the window is the longest its kind allows. */
  end_time: rfc3339.optional(),
};

/**
 * A string Teleport fills from a set that grows (a session type, a provider): stored as sent when
 * listed, as `other` when not, so that a newer cluster's value is counted and never kept.
 */
function closedSet(values: readonly string[]) {
  return z
    .string()
    .max(64)
    .transform((value) => (values.includes(value) ? value : UNLISTED_VALUE));
}

/** A zod counter for each name: missing means 0. */
function counters<const T extends readonly string[]>(names: T) {
  return Object.fromEntries(names.map((name) => [name, counter])) as { [K in T[number]]: typeof counter };
}
const userCounters = counters(USER_COUNTERS);

/** SPIFFE IDs per user record (Teleport's SPIFFEIDRecord list). */
export const MAX_SPIFFE_IDS_PER_RECORD = 1_000;
/** Session summaries opened per user record (one per session type and resource). */
export const MAX_SUMMARIES_PER_RECORD = 1_000;

/**
 * `unspecified` is what older reporters send for everyone; `human` and `unspecified` users count
 * in MAU, `bot` users in MWI, `system` (automated actions) in neither (docs/BILLING.md).
 */
export const USER_KINDS = ["unspecified", "human", "bot", "system"] as const;

const userRecordSchema = z.object({
  user_name: digest,
  user_kind: z.enum(USER_KINDS).default("unspecified"),
  ...userCounters,
  /** SVIDs issued per SPIFFE ID (a digest of the ID), as in Teleport's reports. */
  spiffe_ids_issued: z
    .array(z.object({ spiffe_id: digest, svids_issued: counter }))
    .max(MAX_SPIFFE_IDS_PER_RECORD)
    .default([]),
  /** Reported with the logins that reveal it; `unspecified` otherwise. A dimension of MAU. */
  user_origin: z.enum(USER_ORIGINS).default("unspecified"),
  /** Session summaries the user opened, per session type and resource (a digest of its name). */
  session_summaries_accessed: z
    .array(
      z.object({ session_type: closedSet(SUMMARY_SESSION_TYPES), resource_name: digest.optional(), count: counter }),
    )
    .max(MAX_SUMMARIES_PER_RECORD)
    .default([]),
});

const botRecordSchema = z.object({
  bot_instance_id: digest,
  bot_user_name: digest,
  ...counters(BOT_COUNTERS),
});

export const reportSchema = z
  .discriminatedUnion("kind", [
    z.object({
      kind: z.literal("user_activity"),
      ...reportHeader,
      records: z.array(userRecordSchema).max(MAX_RECORDS_PER_REPORT),
    }),
    z.object({
      kind: z.literal("resource_presence"),
      ...reportHeader,
      resources: z
        .array(
          z.object({
            kind: z.enum(RESOURCE_KINDS),
            ids: z.array(digest).max(MAX_IDS_PER_RESOURCE_KIND),
          }),
        )
        .max(MAX_RESOURCE_GROUPS),
    }),
    z.object({
      kind: z.literal("bot_instance_activity"),
      ...reportHeader,
      records: z.array(botRecordSchema).max(MAX_RECORDS_PER_REPORT),
    }),
    z.object({
      kind: z.literal("identity_security_summaries"),
      ...reportHeader,
      records: z
        .array(
          z.object({
            session_type: closedSet(SUMMARY_SESSION_TYPES),
            resource_name: digest.optional(),
            total_input_tokens: counter,
            total_output_tokens: counter,
            summaries_generated: counter,
          }),
        )
        .max(MAX_RECORDS_PER_REPORT),
    }),
    z.object({
      kind: z.literal("identity_security"),
      ...reportHeader,
      graph_size_records: z
        .array(z.object({ provider: closedSet(GRAPH_PROVIDERS), total_identities: counter, total_resources: counter }))
        .max(MAX_PROVIDER_RECORDS)
        .default([]),
      audit_log_records: z
        .array(z.object({ provider: closedSet(AUDIT_LOG_PROVIDERS), logs_ingested: counter }))
        .max(MAX_PROVIDER_RECORDS)
        .default([]),
    }),
  ])
  .meta({ id: "UsageReport" });

export type UsageReport = z.infer<typeof reportSchema>;

/** The body of `POST /v1/usage` and of an operator's backfill: `{ reports: [ … ] }`. */
export const usageBodySchema = z.object({ reports: z.array(reportSchema).min(1).max(MAX_REPORTS_PER_REQUEST) });
