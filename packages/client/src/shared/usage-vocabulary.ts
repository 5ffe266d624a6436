/**
 * The names usage reports are made of: the counters of a user-activity record, those of a
 * bot-instance record, the resource kinds, user origins, the closed sets of the Identity
 * Security reports (session types, providers), and the longest window of each kind. One list,
 * owned by the SDK, whose usage reporter makes the reports, and read by the collector's report
 * schemas through src/usage/vocabulary.ts: this file stays free of imports.
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
  // Older releases' SSH and Kubernetes port forwards together (now the next two).
  "ssh_port_sessions",
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
  "access_graph_queries",
  "session_summary_search_queries",
  "session_summary_search_queries_with_filters",
  "linux_desktop_sessions",
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
  "linux_desktop",
] as const;

/** Where a user account comes from (Teleport's UserOrigin); reported with logins, else unspecified. */
export const USER_ORIGINS = ["unspecified", "local", "sso", "okta", "scim", "entraid"] as const;

/**
 * The value a closed-set string is stored as when it is none of the listed ones: a report's
 * session type or provider, a catalogue preset's plain name (not lib/other.ts's `(other)`, a
 * dropped name's bucket).
 */
export const UNLISTED_VALUE = "other";
/** Session types of session summaries (Teleport's types.SessionKind). */
export const SUMMARY_SESSION_TYPES = ["ssh", "k8s", "db", "desktop", UNLISTED_VALUE] as const;
/** Providers of Identity Security's graphs. */
export const GRAPH_PROVIDERS = [
  "teleport",
  "aws",
  "azure",
  "entra",
  "gitlab",
  "github",
  "netiq",
  "okta",
  UNLISTED_VALUE,
] as const;
/** Providers of the audit logs Identity Security takes in. */
export const AUDIT_LOG_PROVIDERS = ["teleport", "cloudtrail", "kubernetes", "github", "okta", UNLISTED_VALUE] as const;

export type UserCounter = (typeof USER_COUNTERS)[number];
export type BotCounter = (typeof BOT_COUNTERS)[number];
export type ResourceKind = (typeof RESOURCE_KINDS)[number];
export type UserOrigin = (typeof USER_ORIGINS)[number];

const MINUTE = 60_000;
/** The longest window each kind of report may cover, as Teleport's reporter closes them. */
export const MAX_WINDOW_MS = {
  user_activity: 15 * MINUTE,
  resource_presence: 60 * MINUTE,
  bot_instance_activity: 15 * MINUTE,
  identity_security_summaries: 15 * MINUTE,
  identity_security: 60 * MINUTE,
} as const;
