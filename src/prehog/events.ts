import { type DescMessage, type Message, toBinary } from "@bufbuild/protobuf";
import { CLUSTER_EVENT_NAMES } from "./cluster-events";
import { type FlatProperties, flatten } from "./flatten";
import { type SubmitConnectEventRequest, SubmitConnectEventRequestSchema } from "./gen/prehog/v1alpha/connect_pb";
import { type SubmitTbotEventRequest, SubmitTbotEventRequestSchema } from "./gen/prehog/v1alpha/tbot_pb";
import { type SubmitEventRequest, SubmitEventRequestSchema } from "./gen/prehog/v1alpha/teleport_pb";
import { derivedUuid, timestampText } from "./wire-values";

/**
 * Decodes prehog events into the native event shape the ingest core judges
 * (`{ uuid, event, distinct_id, timestamp, properties }`). Each oneof case names one catalogue
 * event; its message becomes properties by the rules of flatten.ts. Nothing is checked here: a plain value where a digest belongs, a missing field or an unknown event is
 * the core's to refuse, exactly as on `POST /v1/events`.
 */

export const CONNECT_APP = "teleport-connect";
export const CLUSTER_APP = "teleport-cluster";
export const TBOT_APP = "teleport-tbot";

type CaseOf<T extends { event: { case: unknown } }> = Exclude<T["event"]["case"], undefined>;

/** Teleport Connect's oneof cases → `teleport-connect` catalogue events. */
export const CONNECT_EVENT_NAMES: Record<CaseOf<SubmitConnectEventRequest>, string> = {
  clusterLogin: "connect.cluster.login",
  protocolUse: "connect.protocol.use",
  accessRequestCreate: "connect.accessRequest.create",
  accessRequestReview: "connect.accessRequest.review",
  accessRequestAssumeRole: "connect.accessRequest.assumeRole",
  fileTransferRun: "connect.fileTransfer.run",
  userJobRoleUpdate: "connect.user.job_role",
  connectMyComputerSetup: "connect.connectMyComputer.setup",
  connectMyComputerAgentStart: "connect.connectMyComputer.agentStart",
};

/** tbot's oneof cases → `teleport-tbot` catalogue events. */
export const TBOT_EVENT_NAMES: Record<CaseOf<SubmitTbotEventRequest>, string> = {
  start: "tbot.start",
};

/** The native event shape, before the core judges it (any field may be missing or wrong). */
export interface NativeEvent {
  uuid: string;
  event: string | undefined;
  distinct_id: string;
  timestamp: string | undefined;
  properties: FlatProperties;
}

/**
 * One `SubmitConnectEvent` request. Its uuid is derived from the whole request (distinct_id,
 * timestamp and event, as protobuf binary without unknown fields), so a client that resends the
 * event, in binary or JSON, sends the same uuid and is not counted twice.
 */
export async function connectEvent(request: SubmitConnectEventRequest): Promise<NativeEvent> {
  const { event } = request;
  return {
    uuid: await derivedUuid(CONNECT_APP, contentOf(SubmitConnectEventRequestSchema, request)),
    event: event.case ? CONNECT_EVENT_NAMES[event.case] : unknownCase(request),
    distinct_id: request.distinctId,
    timestamp: timestampText(request.timestamp),
    properties: event.case ? propertiesOf(SubmitConnectEventRequestSchema, event.case, event.value) : {},
  };
}

/**
 * One cluster event of `SubmitEvents`. A cluster has no install id: its distinct_id is derived
 * from the tenant and the cluster's digest (one "install" per cluster). The uuid is derived from
 * the tenant and the event's content, so a resent batch is not counted twice.
 */
export async function clusterEvent(request: SubmitEventRequest, tenantId: string): Promise<NativeEvent> {
  const { event } = request;
  const envelope: Record<string, string> = {};
  if (request.clusterName !== "") envelope.cluster_name = request.clusterName;
  if (request.teleportVersion !== "") envelope.teleport_version = request.teleportVersion;
  return {
    uuid: await derivedUuid(CLUSTER_APP, tenantId, contentOf(SubmitEventRequestSchema, request)),
    event: event.case ? CLUSTER_EVENT_NAMES[event.case] : unknownCase(request),
    distinct_id: await derivedUuid(CLUSTER_APP, "cluster", tenantId, request.clusterName),
    timestamp: timestampText(request.timestamp),
    properties: {
      ...envelope,
      ...(event.case ? propertiesOf(SubmitEventRequestSchema, event.case, event.value) : {}),
    },
  };
}

/** The message's content as protobuf binary, deterministic for equal messages. */
function contentOf<T extends Message>(schema: DescMessage, message: T): Uint8Array {
  return toBinary(schema, message, { writeUnknownFields: false });
}

/**
 * One `SubmitTbotEvent` request: tbot's random run id is its distinct_id, and the uuid is derived
 * from the whole request as for Connect events.
 */
export async function tbotEvent(request: SubmitTbotEventRequest): Promise<NativeEvent> {
  const { event } = request;
  return {
    uuid: await derivedUuid(TBOT_APP, contentOf(SubmitTbotEventRequestSchema, request)),
    event: event.case ? TBOT_EVENT_NAMES[event.case] : unknownCase(request),
    distinct_id: request.distinctId,
    timestamp: timestampText(request.timestamp),
    properties: event.case ? propertiesOf(SubmitTbotEventRequestSchema, event.case, event.value) : {},
  };
}

/**
 * A oneof case this schema does not know (a newer client's event) stays an unknown field (a
 * message, so length-delimited on the wire): it is named `oneof <number>`, a name no catalogue
 * event has, so the core rejects it as `unknown_event` and counts it by its number. With no case
 * at all the event has no name (`invalid_event`, "event is required").
 */
function unknownCase(message: Message): string | undefined {
  const unknown = message.$unknown?.find(
    (field) => field.no > 2 && field.no !== TELEPORT_VERSION && field.wireType === 2,
  );
  return unknown ? `oneof ${unknown.no}` : undefined;
}

/** SubmitEventRequest's teleport_version, the one envelope field above the oneof's first number. */
const TELEPORT_VERSION = 95;

/** The oneof case's message as properties (flatten.ts). */
export function propertiesOf(envelope: DescMessage, eventCase: string, value: Message): FlatProperties {
  const field = envelope.fields.find((f) => f.localName === eventCase);
  return field?.fieldKind === "message" ? flatten(field.message, value) : {};
}
