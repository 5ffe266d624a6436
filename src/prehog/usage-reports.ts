import type { DescMessage, Message } from "@bufbuild/protobuf";
import { MAX_IDS_PER_RESOURCE_KIND, MAX_REPORT_BYTES } from "../usage/schema";
import { USER_ORIGINS } from "../usage/vocabulary";
import { RESOURCE_KIND_NAMES } from "./flatten";
import {
  BotInstanceActivityRecordSchema,
  type BotInstanceActivityReport,
  type IdentitySecurityReport,
  type IdentitySecuritySummariesGeneratedReport,
  type ResourcePresenceReport,
  type SubmitUsageReportsRequest,
  UserActivityRecordSchema,
  type UserActivityReport,
  UserKind,
} from "./gen/prehog/v1/teleport_pb";
import { digestText, resourceIdDigest, timestampText, uuidText } from "./wire-values";

/**
 * Decodes `SubmitUsageReportsRequest` into the body `POST /v1/usage` takes (`{ reports: [ … ] }`,
 * docs/BILLING.md), so both doors validate, charge and store reports with the same code. The
 * order is user activity, resource presence, bot-instance activity, then Identity Security's
 * summaries and usage: a rejection's `index` counts in that order. Nothing is checked here; a
 * wrong length, a missing start time or an unknown enum value becomes a value the usage validator
 * refuses, except a user origin this schema does not know, which is `unspecified` (origin unknown).
 */

// An unknown number becomes a kind the validator refuses.
const USER_KINDS: Record<number, string> = {
  [UserKind.UNSPECIFIED]: "unspecified",
  [UserKind.HUMAN]: "human",
  [UserKind.BOT]: "bot",
  [UserKind.SYSTEM]: "system",
};

export async function usageReportsBody(request: SubmitUsageReportsRequest): Promise<{ reports: unknown[] }> {
  return {
    reports: [
      ...request.userActivity.map(userActivity),
      ...(await Promise.all(request.resourcePresence.map(resourcePresence))),
      ...request.botInstanceActivity.map(botInstanceActivity),
      ...request.identitySecuritySummariesReport.map(securitySummaries),
      ...request.identitySecurityReport.map(identitySecurity),
    ],
  };
}

type Report =
  | UserActivityReport
  | ResourcePresenceReport
  | BotInstanceActivityReport
  | IdentitySecuritySummariesGeneratedReport
  | IdentitySecurityReport;

function header(kind: string, report: Report) {
  return {
    kind,
    report_uuid: uuidText(report.reportUuid),
    cluster_name: digestText(report.clusterName),
    reporter_hostid: digestText(report.reporterHostid),
    start_time: timestampText(report.startTime),
  };
}

function userActivity(report: UserActivityReport) {
  return {
    ...header("user_activity", report),
    records: report.records.map((record) => ({
      user_name: digestText(record.userName),
      user_kind: USER_KINDS[record.userKind] ?? `user kind ${record.userKind}`,
      ...countersOf(UserActivityRecordSchema, record),
      spiffe_ids_issued: record.spiffeIdsIssued.map((spiffe) => ({
        spiffe_id: digestText(spiffe.spiffeId),
        svids_issued: spiffe.svidsIssued,
      })),
      // USER_ORIGINS lists Teleport's UserOrigin values in their numbers' order.
      user_origin: USER_ORIGINS[record.userOrigin] ?? "unspecified",
      session_summaries_accessed: record.sessionSummariesAccessed.map((accessed) => ({
        session_type: accessed.sessionType,
        ...optionalDigest(accessed.resourceName),
        count: Number(accessed.count),
      })),
    })),
  };
}

function securitySummaries(report: IdentitySecuritySummariesGeneratedReport) {
  return {
    ...header("identity_security_summaries", report),
    records: report.records.map((record) => ({
      session_type: record.sessionType,
      ...optionalDigest(record.resourceName),
      total_input_tokens: Number(record.totalInputTokens),
      total_output_tokens: Number(record.totalOutputTokens),
      summaries_generated: Number(record.summariesGenerated),
    })),
  };
}

function identitySecurity(report: IdentitySecurityReport) {
  return {
    ...header("identity_security", report),
    graph_size_records: report.graphSizeRecords.map((record) => ({
      provider: record.provider,
      total_identities: Number(record.totalIdentities),
      total_resources: Number(record.totalResources),
    })),
    audit_log_records: report.auditLogRecords.map((record) => ({
      provider: record.provider,
      logs_ingested: Number(record.logsIngested),
    })),
  };
}

/** A resource name Teleport sends as base64 text: left out when empty (proto3's unset). */
function optionalDigest(resourceName: string): { resource_name?: string } {
  return resourceName === "" ? {} : { resource_name: resourceName };
}

function botInstanceActivity(report: BotInstanceActivityReport) {
  return {
    ...header("bot_instance_activity", report),
    records: report.records.map((record) => ({
      bot_instance_id: digestText(record.botInstanceId),
      bot_user_name: digestText(record.botUserName),
      ...countersOf(BotInstanceActivityRecordSchema, record),
    })),
  };
}

/** A resource id as JSON costs its 44 digest characters, two quotes and a comma. */
const ID_JSON_CHARS = 47;

async function resourcePresence(report: ResourcePresenceReport) {
  const ids = report.resourceKindReports.reduce((n, group) => n + group.resourceIds.length, 0);
  // A report the validator will refuse by its size or an oversized list is not worth hashing:
  // placeholders of a digest's length keep exactly the counts and size it judges first.
  const refusedAnyway =
    ids * ID_JSON_CHARS > MAX_REPORT_BYTES ||
    report.resourceKindReports.some((group) => group.resourceIds.length > MAX_IDS_PER_RESOURCE_KIND);
  return {
    ...header("resource_presence", report),
    resources: await Promise.all(
      report.resourceKindReports.map(async (group) => ({
        kind: RESOURCE_KIND_NAMES[group.resourceKind] ?? `resource kind ${group.resourceKind}`,
        ids: refusedAnyway
          ? group.resourceIds.map(() => "?".repeat(44))
          : await Promise.all(group.resourceIds.map(resourceIdDigest)),
      })),
    ),
  };
}

/** Every uint64 counter of a record, under its field name (the JSON route's counter names). */
function countersOf(schema: DescMessage, record: Message): Record<string, number> {
  const values = record as unknown as Record<string, unknown>;
  const counters: Record<string, number> = {};
  for (const field of schema.fields) {
    const value = values[field.localName];
    // Beyond 2^53 precision is lost, but such a value is far over the validator's cap anyway.
    if (typeof value === "bigint") counters[field.name] = Number(value);
  }
  return counters;
}
