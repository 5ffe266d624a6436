import type { DescMessage, Message } from "@bufbuild/protobuf";
import { MAX_IDS_PER_RESOURCE_KIND, MAX_REPORT_BYTES } from "../usage/schema";
import type { RESOURCE_KINDS } from "../usage/vocabulary";
import {
  BotInstanceActivityRecordSchema,
  type BotInstanceActivityReport,
  ResourceKind,
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
 * order is user activity, then resource presence, then bot-instance activity: a rejection's
 * `index` counts in that order. Nothing is checked here; a wrong length, a missing start time or
 * an unknown enum value becomes a value the usage validator refuses.
 */

// Teleport's UserKind has no value for `system` users: the JSON route's `system` kind has no
// protobuf form, and an unknown number becomes a kind the validator refuses.
const USER_KINDS: Record<number, string> = {
  [UserKind.UNSPECIFIED]: "unspecified",
  [UserKind.HUMAN]: "human",
  [UserKind.BOT]: "bot",
};

const RESOURCE_KIND_NAMES: Record<number, (typeof RESOURCE_KINDS)[number]> = {
  [ResourceKind.NODE]: "node",
  [ResourceKind.APP_SERVER]: "app_server",
  [ResourceKind.KUBE_SERVER]: "kube_server",
  [ResourceKind.DB_SERVER]: "db_server",
  [ResourceKind.WINDOWS_DESKTOP]: "windows_desktop",
  [ResourceKind.NODE_OPENSSH]: "node.openssh",
  [ResourceKind.NODE_OPENSSH_EC2_ICE]: "node.openssh_ec2_ice",
};

export async function usageReportsBody(request: SubmitUsageReportsRequest): Promise<{ reports: unknown[] }> {
  return {
    reports: [
      ...request.userActivity.map(userActivity),
      ...(await Promise.all(request.resourcePresence.map(resourcePresence))),
      ...request.botInstanceActivity.map(botInstanceActivity),
    ],
  };
}

type Report = UserActivityReport | ResourcePresenceReport | BotInstanceActivityReport;

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
    })),
  };
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
