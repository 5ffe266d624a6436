import {
  AUDIT_LOG_PROVIDERS,
  clusterEvent,
  count,
  deviceId,
  deviceOsType,
  digest,
  flag,
  GRAPH_PROVIDERS,
  oneOf,
  runId,
  userName,
} from "./teleport-properties";
import type { EventSpec, PropertySpec } from "./types";

/**
 * The product-feature events of a Teleport cluster (proto/prehog/v1alpha/teleport_products.proto):
 * Assist, Access Graph and Identity Security, Access Monitoring, External Audit Storage, licence
 * limits, feature recommendations and the editor role. Same rules as teleport-cluster-access.ts.
 */

const tokens: Record<string, PropertySpec> = {
  total_tokens: count("Tokens used"),
  prompt_tokens: count("Tokens of the prompt"),
  completion_tokens: count("Tokens of the answer"),
};
// Teleport sends Assist's conversation id as it made it (a random UUID): stored only as one.
const conversationId = runId("The Assist conversation's random id");
const affected: Record<string, PropertySpec> = {
  affected_resource_source: oneOf("Where the affected resource lives", [
    "teleport",
    "aws",
    "azure",
    "gcp",
    "gitlab",
    "github",
    "okta",
    "entra",
    "netiq",
  ]),
  affected_resource_type: oneOf("The affected resource's kind", [
    "node",
    "ssh",
    "kube_cluster",
    "kubernetes",
    "db",
    "database",
    "app",
    "windows_desktop",
    "user",
    "role",
    "s3_bucket",
  ]),
};

export const productEvents: Record<string, EventSpec> = {
  "tp.assist.completion": clusterEvent("Assist answered a prompt", {
    user_name: userName,
    conversation_id: conversationId,
    ...tokens,
  }),
  "tp.assist.execution": clusterEvent("Assist ran a command", {
    user_name: userName,
    conversation_id: conversationId,
    node_count: count("Nodes the command ran on"),
    ...tokens,
  }),
  "tp.assist.newConversation": clusterEvent("An Assist conversation began", { user_name: userName }),
  "tp.assist.accessRequest": clusterEvent("Access was requested through Assist", {
    user_name: userName,
    resource_type: oneOf("What was requested", ["node", "db", "k8s", "app", "windows_desktop", "role"]),
    ...tokens,
  }),
  "tp.assist.action": clusterEvent("An Assist action ran", {
    user_name: userName,
    action: oneOf("The action", ["ssh-explain", "ssh-command-generate"]),
    ...tokens,
  }),
  "tp.editor.change": clusterEvent("The preset editor role was granted or removed", {
    user_name: userName,
    status: oneOf("What changed", ["role_granted", "role_removed"]),
  }),
  "tp.ui.feature.recommendation": clusterEvent("A feature was recommended, or its recommendation followed", {
    user_name: userName,
    feature: oneOf("The feature", ["trusted_devices"]),
    feature_recommendation_status: oneOf("The recommendation's state", ["notified", "done"]),
  }),
  "tp.license.limit": clusterEvent("The licence refused a feature", {
    license_limit: oneOf("The limit reached", ["device_trust_team_jamf", "device_trust_team_usage"]),
  }),
  "tp.tag.executeQuery": clusterEvent("An Access Graph query ran", {
    user_name: userName,
    total_nodes: count("Nodes returned"),
    total_edges: count("Edges returned"),
    is_success: flag("The query succeeded"),
  }),
  "tp.accessGraph.secretsScan.authorizedKeys": clusterEvent("A host reported its authorized keys", {
    host_id: digest("HMAC of the host's id"),
    total_keys: count("Keys found"),
  }),
  "tp.accessGraph.secretsScan.sshPrivateKeys": clusterEvent("A device reported its SSH private keys", {
    device_id: deviceId,
    total_keys: count("Keys found"),
    device_os_type: deviceOsType,
  }),
  "tp.accessGraph.gitlab.scan": clusterEvent("Access Graph scanned GitLab", {
    total_projects: count("Projects"),
    total_users: count("Users"),
    total_groups: count("Groups"),
  }),
  "tp.accessGraph.aws.scan": clusterEvent("Access Graph scanned AWS", {
    total_ec2_instances: count("EC2 instances"),
    total_users: count("Users"),
    total_groups: count("Groups"),
    total_roles: count("Roles"),
    total_policies: count("Policies"),
    total_eks_clusters: count("EKS clusters"),
    total_rds_instances: count("RDS instances"),
    total_s3_buckets: count("S3 buckets"),
    total_saml_providers: count("SAML providers"),
    total_oidc_providers: count("OIDC providers"),
    total_accounts: count("Accounts"),
  }),
  "tp.accessGraph.accessPath.changed": clusterEvent("An access path to a crown jewel changed", affected),
  "tp.accessGraph.crownJewel.create": clusterEvent("A crown jewel was created"),
  "tp.ui.accessGraph.crownJewelDiffView": clusterEvent("A user reviewed a crown jewel's access path change", affected),
  "tp.externalAuditStorage.authenticate": clusterEvent("External Audit Storage authenticated to its AWS account"),
  "tp.securityReport.getResult": clusterEvent("A security report was read", {
    user_name: userName,
    days: count("The report's range, in days"),
  }),
  "tp.auditQuery.run": clusterEvent("An audit query ran", {
    user_name: userName,
    days: count("The query's range, in days"),
    is_success: flag("The query succeeded"),
  }),
  "tp.identity_security.graph_size": clusterEvent("The size of a provider's identity graph", {
    provider: oneOf("The provider", GRAPH_PROVIDERS),
    total_identities: count("Identities in the graph"),
    total_resources: count("Resources in the graph"),
  }),
  "tp.identity_security.audit_logs_ingested": clusterEvent("Audit log entries taken in from a provider", {
    provider: oneOf("The provider", AUDIT_LOG_PROVIDERS),
    logs_ingested: count("Entries taken in"),
  }),
};
