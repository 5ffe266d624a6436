import {
  beamId,
  cloudProvider,
  clusterEvent,
  count,
  dbOrigin,
  dbProtocol,
  dbType,
  deviceId,
  deviceOsType,
  digest,
  flag,
  oneOf,
  SUMMARY_SESSION_TYPES,
  sessionType,
  setOf,
  userKind,
  userName,
} from "./teleport-properties";
import type { EventSpec, PropertySpec } from "./types";

/**
 * More server-side events of a Teleport cluster (proto/prehog/v1alpha/teleport_access.proto):
 * devices and MFA, desktops, discovery, the Okta sync, database users, recordings, user tasks,
 * Access Requests, session summaries and beams. Same rules as teleport-cluster-access.ts.
 */

const database: Record<string, PropertySpec> = {
  database_db_type: dbType,
  database_db_protocol: dbProtocol,
  database_db_origin: dbOrigin,
};
const RESOURCE_KINDS_REQUESTED = [
  "node",
  "kube_cluster",
  "db",
  "app",
  "windows_desktop",
  "role",
  "git_server",
  "saml_idp_service_provider",
  "user_group",
  "namespace",
  "pod",
  "aws_ic_account_assignment",
];
const requestedKinds = setOf("resource_kinds", "The request asks for", RESOURCE_KINDS_REQUESTED);
const region = oneOf("The region the beam runs in", [
  "us-east-1",
  "us-east-2",
  "us-west-1",
  "us-west-2",
  "eu-central-1",
  "eu-west-1",
  "eu-west-2",
  "ap-southeast-1",
  "ap-southeast-2",
  "ap-northeast-1",
  "ap-south-1",
  "ca-central-1",
  "sa-east-1",
]);
const summaryType = oneOf("The kind of session summarized", SUMMARY_SESSION_TYPES);
const resourceName = digest("HMAC of the resource's name");

export const platformEvents: Record<string, EventSpec> = {
  "tp.device.authenticate": clusterEvent("A trusted device authenticated", {
    device_id: deviceId,
    user_name: userName,
    device_os_type: deviceOsType,
  }),
  "tp.device.enroll": clusterEvent("A trusted device was enrolled", {
    device_id: deviceId,
    user_name: userName,
    device_os_type: deviceOsType,
    device_origin: oneOf("Where the device record came from", [
      "DEVICE_ORIGIN_API",
      "DEVICE_ORIGIN_JAMF",
      "DEVICE_ORIGIN_INTUNE",
    ]),
  }),
  "tp.mfa.authentication": clusterEvent("A user passed an MFA check", {
    user_name: userName,
    device_id: deviceId,
    device_type: oneOf("The MFA device's kind", ["TOTP", "WebAuthn", "U2F", "SSO"]),
    mfa_challenge_scope: oneOf("What the check was for", [
      "CHALLENGE_SCOPE_LOGIN",
      "CHALLENGE_SCOPE_PASSWORDLESS_LOGIN",
      "CHALLENGE_SCOPE_HEADLESS_LOGIN",
      "CHALLENGE_SCOPE_MANAGE_DEVICES",
      "CHALLENGE_SCOPE_ACCOUNT_RECOVERY",
      "CHALLENGE_SCOPE_USER_SESSION",
      "CHALLENGE_SCOPE_ADMIN_ACTION",
      "CHALLENGE_SCOPE_CHANGE_PASSWORD",
    ]),
  }),
  "tp.desktop.directory.share": clusterEvent("A directory was shared into a desktop session", {
    desktop: digest("HMAC of the desktop's address"),
    user_name: userName,
    directory_name: digest("HMAC of the directory's name"),
  }),
  "tp.desktop.clipboard.transfer": clusterEvent("Clipboard data crossed a desktop session", {
    desktop: digest("HMAC of the desktop's address"),
    user_name: userName,
  }),

  "tp.discovery.fetch": clusterEvent("The Discovery Service polled a cloud for resources", {
    cloud_provider: cloudProvider,
    resource_type: oneOf("What was polled", [
      "ec2",
      "rds",
      "rdsproxy",
      "redshift",
      "redshift-serverless",
      "elasticache",
      "memorydb",
      "opensearch",
      "docdb",
      "eks",
      "aks",
      "gke",
      "vm",
      "gce",
      "app",
      "kube",
    ]),
  }),
  "tp.okta.accessList.sync": clusterEvent("The Okta service synchronized Access Lists", {
    num_app_filters: count("App filters"),
    num_group_filters: count("Group filters"),
    num_apps: count("Apps"),
    num_groups: count("Groups"),
    num_roles: count("Roles written"),
    num_access_lists: count("Access Lists written"),
    num_access_list_members: count("Access List members written"),
  }),
  "tp.database.user.create": clusterEvent("A database user was provisioned", {
    ...database,
    user_name: userName,
    num_roles: count("Database roles"),
  }),
  "tp.database.user.permissionsUpdate": clusterEvent("A database user's permissions were updated", {
    ...database,
    user_name: userName,
    num_tables: count("Tables affected"),
    num_tables_permissions: count("Table permissions granted"),
  }),
  "tp.recording.access": clusterEvent("A session recording was viewed", {
    session_type: sessionType,
    user_name: userName,
    format: oneOf("How it was viewed", ["text", "json", "yaml", "pty"]),
  }),
  "tp.usertask.state": clusterEvent("A discovery user task changed state", {
    task_type: oneOf("The task's kind", ["discover-ec2", "discover-eks", "discover-rds", "discover-azure-vm"]),
    issue_type: oneOf("The issue's kind", [
      "ec2-ssm-agent-not-registered",
      "ec2-ssm-agent-connection-lost",
      "ec2-ssm-invalid-instance",
      "ec2-ssm-script-failure",
      "ec2-ssm-unsupported-os",
      "eks-failure-install",
      "eks-status-not-active",
      "eks-missing-endpoint-public-access",
      "eks-authentication-mode-unsupported",
      "eks-cluster-unreachable",
      "eks-agent-not-connecting",
      "rds-iam-auth-disabled",
      "rds-failure-install",
    ]),
    state: oneOf("The task's new state", ["OPEN", "RESOLVED"]),
    instances_count: count("Instances affected"),
    discovery_config_name: digest("HMAC of the discovery config's name"),
  }),
  "tp.access_request.create": clusterEvent("An Access Request was created", {
    user_name: userName,
    ...requestedKinds,
  }),
  "tp.access_request.review": clusterEvent("An Access Request was reviewed", {
    user_name: userName,
    ...requestedKinds,
    is_bot_reviewed: flag("Reviewed automatically by a bot"),
    proposed_state: oneOf("The review's verdict", ["approved", "denied"]),
  }),
  "tp.session.summary.access": clusterEvent("A session summary was opened", {
    session_type: summaryType,
    user_name: userName,
    resource_name: resourceName,
    user_kind: userKind,
  }),
  "tp.session.summary.create": clusterEvent("A session summary was generated", {
    session_type: summaryType,
    provider: oneOf("The AI provider", ["bedrock", "openai"]),
    total_input_tokens: count("Tokens read"),
    total_output_tokens: count("Tokens written"),
    success: flag("The summary was made"),
    resource_name: resourceName,
    is_cloud_default_model: flag("Teleport Cloud's default model"),
    has_stored_embeddings: flag("Summaries' embeddings are stored"),
  }),
  "tp.session.summary.search": clusterEvent("Session summaries were searched", {
    user_name: userName,
    user_kind: userKind,
    query_count: count("Free-text queries in the search"),
    has_filters: flag("The search had filters"),
  }),
  "tp.discovery.config": clusterEvent("A discovery config was created, updated or deleted", {
    action: oneOf("What was done", ["create", "update", "delete"]),
    discovery_config_name: digest("HMAC of the discovery config's name"),
    ...setOf("resource_types", "It discovers", ["ec2", "rds", "eks", "aks", "gke", "vm", "gce", "redshift", "app"]),
    ...setOf("cloud_providers", "It matches in", ["aws", "azure", "gcp", "kubernetes"]),
    creation_method: oneOf("How it was made", ["iac", "guided"]),
  }),
  "tp.beams.created": clusterEvent("A beam VM was created and became ready", {
    beam_id: beamId,
    region,
    startup_duration_ms: count("Milliseconds from creation to ready"),
  }),
  "tp.beams.destroyed": clusterEvent("A beam VM was destroyed", {
    beam_id: beamId,
    reason: oneOf("Why", ["user_deleted", "gc_expired"]),
    region,
  }),
};
