/**
 * The names usage reports are made of: the counters of a user-activity record, those of a
 * bot-instance record, and the resource kinds. One list, read by the collector's report
 * schemas (usage/schema.ts) and by the client SDK's usage reporter, which imports nothing else
 * of the collector's: this file must stay free of imports.
 */

/** Per-user interaction counters of a user-activity record (Teleport's UserActivityRecord). */
export const USER_COUNTERS = [
  "logins",
  "ssh_sessions",
  "app_sessions",
  "kube_sessions",
  "db_sessions",
  "desktop_sessions",
  "app_tcp_sessions",
  "ssh_port_v2_sessions",
  "kube_port_sessions",
  "kube_requests",
  "sftp_events",
  "spiffe_svids_issued",
  "bot_joins",
  "certificates_issued",
  "access_requests_created",
  "access_requests_reviewed",
  "access_lists_reviewed",
  "access_lists_grants",
  "saml_idp_sessions",
] as const;

/** Counters of a bot-instance record (Teleport's BotInstanceActivityRecord). */
export const BOT_COUNTERS = ["bot_joins", "spiffe_svids_issued", "certificates_issued"] as const;

export const RESOURCE_KINDS = [
  "node",
  "app_server",
  "kube_server",
  "db_server",
  "windows_desktop",
  "node.openssh",
  "node.openssh_ec2_ice",
] as const;

export type UserCounter = (typeof USER_COUNTERS)[number];
export type BotCounter = (typeof BOT_COUNTERS)[number];
export type ResourceKind = (typeof RESOURCE_KINDS)[number];
