import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { SubmitConnectEventRequestSchema } from "../../src/prehog/gen/prehog/v1alpha/connect_pb";

/**
 * One Teleport Connect event of each kind, as a client builds it, with what the native API
 * would carry for it: the catalogue event and its properties, written out by hand from the
 * catalogue (not computed by the code under test). Used inside workerd and by the e2e tests.
 */

/** A random value shaped like an HMAC-SHA256 digest (standard base64 of 32 bytes). */
export function randomDigest(): string {
  return btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
}

type ConnectEventInit = NonNullable<MessageInitShape<typeof SubmitConnectEventRequestSchema>["event"]>;

export interface ConnectCase {
  /** The oneof case. */
  kind: NonNullable<ConnectEventInit["case"]>;
  event: ConnectEventInit;
  /** What the same event is on `POST /v1/events`. */
  native: { event: string; properties: Record<string, string | boolean> };
}

/** One case of each kind, with fresh digests. */
export function connectCases(): ConnectCase[] {
  const [cluster, user] = [randomDigest(), randomDigest()];
  const names = { cluster_name: cluster, user_name: user };
  const init = { clusterName: cluster, userName: user };
  return [
    {
      kind: "clusterLogin",
      event: {
        case: "clusterLogin",
        value: {
          ...init,
          connectorType: "saml",
          arch: "arm64",
          os: "darwin",
          osVersion: "23.1.0",
          appVersion: "17.0.1",
        },
      },
      native: {
        event: "connect.cluster.login",
        properties: {
          ...names,
          connector_type: "saml",
          arch: "arm64",
          os: "darwin",
          os_version: "23.1.0",
          app_version: "17.0.1",
        },
      },
    },
    {
      kind: "protocolUse",
      event: { case: "protocolUse", value: { ...init, protocol: "db", origin: "search_bar", accessThrough: "vnet" } },
      native: {
        event: "connect.protocol.use",
        properties: { ...names, protocol: "db", origin: "search_bar", access_through: "vnet" },
      },
    },
    {
      kind: "accessRequestCreate",
      event: { case: "accessRequestCreate", value: { ...init, kind: "resource" } },
      native: { event: "connect.accessRequest.create", properties: { ...names, kind: "resource" } },
    },
    {
      kind: "accessRequestReview",
      event: { case: "accessRequestReview", value: init },
      native: { event: "connect.accessRequest.review", properties: names },
    },
    {
      kind: "accessRequestAssumeRole",
      event: { case: "accessRequestAssumeRole", value: init },
      native: { event: "connect.accessRequest.assumeRole", properties: names },
    },
    {
      kind: "fileTransferRun",
      event: { case: "fileTransferRun", value: { ...init, isUpload: false } },
      native: { event: "connect.fileTransfer.run", properties: { ...names, is_upload: false } },
    },
    {
      kind: "userJobRoleUpdate",
      event: { case: "userJobRoleUpdate", value: { jobRole: "Software Engineer" } },
      native: { event: "connect.user.job_role", properties: { job_role: "Software Engineer" } },
    },
    {
      kind: "connectMyComputerSetup",
      event: { case: "connectMyComputerSetup", value: { ...init, success: false, failedStep: "downloading_agent" } },
      native: {
        event: "connect.connectMyComputer.setup",
        properties: { ...names, success: false, failed_step: "downloading_agent" },
      },
    },
    {
      kind: "connectMyComputerAgentStart",
      event: { case: "connectMyComputerAgentStart", value: init },
      native: { event: "connect.connectMyComputer.agentStart", properties: names },
    },
  ];
}

/** A `SubmitConnectEventRequest` for `event`, from `install` at `atMs`. */
export function connectRequest(event: ConnectEventInit, install: string, atMs: number) {
  return create(SubmitConnectEventRequestSchema, { distinctId: install, timestamp: timestampFromMs(atMs), event });
}
