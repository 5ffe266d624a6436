import {
  AUDIT_LOG_PROVIDERS as REPORTED_AUDIT_LOG_PROVIDERS,
  GRAPH_PROVIDERS as REPORTED_GRAPH_PROVIDERS,
  SUMMARY_SESSION_TYPES as REPORTED_SESSION_TYPES,
  RESOURCE_KINDS,
  UNLISTED_VALUE,
  USER_ORIGINS,
} from "../usage/vocabulary";
import type { EventSpec, PropertySpec } from "./types";

/**
 * The building blocks of Teleport's events in the catalogue (teleport-cluster*.ts): one privacy
 * class per kind of field, and the closed sets Teleport's string fields draw from. Teleport sends
 * most of these as free strings; each is stored only if it is one of the listed values, and as
 * `other` if not, so that a value Teleport adds later is counted without being kept. The lists
 * are what Teleport's code and documentation name; `other` is what keeps them safe, not their
 * completeness. The sets usage reports share (resource kinds, user origins, Identity Security's
 * providers and session types) are usage/vocabulary.ts's.
 */

/** A usage-report vocabulary without its own `other`, which the catalogue's enums add. */
const listed = <T extends string>(values: readonly T[]) => values.filter((value) => value !== UNLISTED_VALUE);

/** Every optional property of these events: proto3 leaves an empty string, a zero enum or an absent message unset. */
type Optional = { optional: true };
const optional: Optional = { optional: true };

/** An HMAC digest Teleport computes with the cluster's key. */
export function digest(description: string, required = false): PropertySpec {
  return { class: "anonymized", description, ...(required ? {} : optional) };
}

/** One of `values`; anything else is stored as `other`. */
export function oneOf(description: string, values: readonly string[]): PropertySpec {
  return { class: "enum", description, values, other: "other", ...optional };
}

export function count(description: string, bounds: { min?: number; max?: number } = {}): PropertySpec {
  return { class: "count", description, ...bounds, ...optional };
}

export function flag(description: string): PropertySpec {
  return { class: "bool", description, ...optional };
}

/** A random id tying a wizard's steps (or a conversation's messages) together. */
export function runId(description: string): PropertySpec {
  return { class: "id", description, ...optional };
}

/**
 * A repeated string field, stored as one flag per listed value present (`<field>_<value>`):
 * the door names each element so; an element not listed is dropped and counted.
 */
export function setOf(field: string, description: string, values: readonly string[]): Record<string, PropertySpec> {
  return Object.fromEntries(values.map((value) => [`${field}_${value}`, flag(`${description}: ${value}`)]));
}

/** The envelope's cluster name, on every event of the `teleport-cluster` app. */
export const clusterName = digest("HMAC of the cluster name", true);

/**
 * A tenant-only event of the `teleport-cluster` app, sent by Teleport's reporter (not the SDK),
 * with the envelope's cluster name.
 */
export function clusterEvent(description: string, properties: Record<string, PropertySpec> = {}): EventSpec {
  return {
    description,
    apps: ["teleport-cluster"],
    tenantOnly: true,
    clientSdk: false,
    properties: { cluster_name: clusterName, ...properties },
  };
}

export const userName = digest("HMAC of the Teleport user name", true);
export const optionalUserName = digest("HMAC of the Teleport user name");
export const deviceId = digest("HMAC of the trusted device's id");
export const botInstanceId = digest("HMAC of the bot instance's id");
export const beamId = digest("HMAC of the beam's id");

export const USER_KINDS = ["human", "bot", "system"] as const;
export const userKind = oneOf("Whether the user is a person, a Machine ID bot or a Teleport component", USER_KINDS);
export const userOrigin = oneOf(
  "Where the user account comes from",
  USER_ORIGINS.filter((origin) => origin !== "unspecified"),
);

export const SESSION_TYPES = [
  "ssh",
  "k8s",
  "db",
  "app",
  "desktop",
  "app_tcp",
  "ssh_port_v2",
  "k8s_port",
  "ssh_port",
  "git",
  "app_mcp",
  "linux_desktop",
] as const;
export const sessionType = oneOf("The kind of session", SESSION_TYPES);

export const privateKeyPolicy = oneOf("The private key policy the login or certificate required", [
  "none",
  "hardware_key",
  "hardware_key_touch",
  "hardware_key_pin",
  "hardware_key_touch_and_pin",
  "web_session",
]);

export const connectorType = oneOf("How the user authenticated", ["local", "github", "saml", "oidc", "passwordless"]);

export const JOIN_METHODS = [
  "token",
  "ec2",
  "iam",
  "github",
  "circleci",
  "kubernetes",
  "azure",
  "azure_devops",
  "gitlab",
  "gcp",
  "spacelift",
  "tpm",
  "terraform_cloud",
  "bitbucket",
  "oracle",
  "bound_keypair",
  "env0",
] as const;

export const dbType = oneOf("The database's hosting", [
  "self-hosted",
  "rds",
  "rdsproxy",
  "redshift",
  "redshift-serverless",
  "cloudsql",
  "alloydb",
  "azure",
  "elasticache",
  "elasticache-serverless",
  "memorydb",
  "mongo-atlas",
  "dynamodb",
  "keyspace",
  "opensearch",
  "spanner",
  "docdb",
]);
export const dbProtocol = oneOf("The database protocol", [
  "postgres",
  "mysql",
  "mongodb",
  "oracle",
  "cockroachdb",
  "redis",
  "sqlserver",
  "snowflake",
  "cassandra",
  "elasticsearch",
  "opensearch",
  "dynamodb",
  "clickhouse",
  "clickhouse-http",
  "spanner",
]);
export const dbOrigin = oneOf("How the database was registered", ["config-file", "dynamic", "cloud", "kubernetes"]);

export const resourceKind = oneOf("The kind of resource (as usage reports name it)", RESOURCE_KINDS);

export const deviceOsType = oneOf("The device's operating system", [
  "OS_TYPE_MACOS",
  "OS_TYPE_WINDOWS",
  "OS_TYPE_LINUX",
  "macos",
  "windows",
  "linux",
]);

export const cloudProvider = oneOf("The cloud the resources come from", ["AWS", "Azure", "GCP", "Kubernetes"]);

export const GRAPH_PROVIDERS = listed(REPORTED_GRAPH_PROVIDERS);
export const AUDIT_LOG_PROVIDERS = listed(REPORTED_AUDIT_LOG_PROVIDERS);
export const SUMMARY_SESSION_TYPES = listed(REPORTED_SESSION_TYPES);

export const status = (values: readonly string[]) => oneOf("How the step ended", values);
export const STEP_STATUSES = ["success", "skipped", "error", "aborted"] as const;
