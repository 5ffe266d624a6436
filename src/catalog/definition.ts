import { accessEvents } from "./teleport-cluster-access";
import { platformEvents } from "./teleport-cluster-platform";
import { productEvents } from "./teleport-cluster-products";
import { uiEvents } from "./teleport-cluster-ui";
import { tbotApp, tbotStart } from "./teleport-tbot";
import type { Catalogue, PropertySpec } from "./types";

/**
 * What edgehog collects: the single source of truth. Adding an app or an event is an edit
 * here and nowhere else; `GET /v1/catalog` publishes exactly this.
 *
 * The Teleport Connect events mirror `prehog.v1alpha.ConnectReportingService`: cluster and
 * user names are HMAC digests computed by the client with the cluster's key. The `teleport-cluster`
 * events are every event of Teleport's `prehog.v1alpha.TeleportReportingService` (the
 * teleport-cluster-*.ts files) and edgehog's heartbeat; `teleport-tbot` is Machine ID's start event.
 */

const clusterName: PropertySpec = {
  class: "anonymized",
  description: "HMAC of the cluster name, keyed by the cluster",
};
const userName: PropertySpec = {
  class: "anonymized",
  description: "HMAC of the user name, keyed by the cluster",
};
const connectApps = ["teleport-connect"] as const;
const clusterApps = ["teleport-cluster"] as const;

export const catalogue: Catalogue = {
  apps: {
    "teleport-connect": {
      description: "Teleport Connect, the desktop client",
      commonProperties: {
        app_version: { class: "version", description: "Teleport Connect version", optional: true },
        os: {
          class: "enum",
          description: "Node's process.platform",
          values: ["darwin", "linux", "win32"],
          optional: true,
        },
        arch: {
          class: "enum",
          description: "Node's os.arch()",
          values: ["x64", "arm64", "ia32", "arm"],
          optional: true,
        },
        os_version: {
          class: "version",
          description: "Node's os.release()",
          reduce: "kernel",
          optional: true,
        },
      },
      dimensions: { appVersion: "app_version", os: "os" },
      posthog: {
        properties: {
          // posthog-js names the OS from the User-Agent; only the three Connect runs on map.
          $os: { to: "os", values: { "Mac OS X": "darwin", macOS: "darwin", Linux: "linux", Windows: "win32" } },
          // Set by PostHog's mobile and desktop SDKs; posthog-js does not send it.
          $app_version: { to: "app_version" },
        },
        // Teleport Connect sets these "once on user properties" (RFD 97's person properties).
        personProperties: {
          "connect.os": { to: "os" },
          "connect.arch": { to: "arch" },
          "connect.os_version": { to: "os_version" },
          "connect.app_version": { to: "app_version" },
        },
      },
    },
    "teleport-cluster": {
      description: "A Teleport cluster's Auth Service, sending server-side events with its tenant token",
      commonProperties: {
        teleport_version: { class: "version", description: "Teleport version of the Auth Service", optional: true },
      },
      dimensions: { appVersion: "teleport_version" },
      neverStored: {
        status_error: "the error a wizard step showed: free text that can hold an address or a name",
        database_user_agent: "the database client's own description of itself: free text",
        mcp_client_name: "the name an MCP client gives itself: free text",
        mcp_server_name: "the name of an MCP server: free text",
        os_version: "an operating system's name and release as free text",
        container_orchestrator: "an orchestrator with its version and build as free text",
        category: "an Assist conversation's category, written by a model: free text",
        name: "a security report's name: not a closed set",
        access_list_review_id: "a review's id, which Teleport's reporter itself leaves out",
        link: "a URL",
        path: "a route of the web UI: not a closed set",
        params: "a web UI view's keys and values: free text",
        fields_with_conversion_errors: "the role editor's field paths: not a closed set (each counted as (other))",
      },
    },
    "teleport-tbot": tbotApp,
  },

  events: {
    ...accessEvents,
    ...platformEvents,
    ...productEvents,
    ...uiEvents,
    "tbot.start": tbotStart,
    "tp.cluster.heartbeat": {
      description: "An Auth Service is running (sent about once an hour)",
      apps: clusterApps,
      tenantOnly: true,
      properties: {
        cluster_name: clusterName,
        reporter_hostid: {
          class: "anonymized",
          description: "HMAC of the Auth Service's host id, keyed by the cluster",
        },
        auth_servers: {
          class: "count",
          description: "Auth Service instances in the cluster",
          max: 1000,
          optional: true,
        },
      },
    },
    "connect.cluster.login": {
      description: "A user logged in to a cluster",
      apps: connectApps,
      properties: {
        cluster_name: clusterName,
        user_name: userName,
        connector_type: {
          class: "enum",
          description: "How the user authenticated",
          values: ["local", "github", "saml", "oidc", "passwordless"],
        },
      },
    },
    "connect.protocol.use": {
      description: "A connection was opened",
      apps: connectApps,
      properties: {
        cluster_name: clusterName,
        user_name: userName,
        protocol: { class: "enum", description: "Protocol used", values: ["ssh", "db", "kube", "app", "desktop"] },
        origin: {
          class: "enum",
          description: "Where in the UI the connection started",
          values: ["resource_table", "search_bar", "connection_list", "reopened_session", "vnet"],
          optional: true,
        },
        access_through: {
          class: "enum",
          description: "How the resource was reached",
          values: ["proxy_service", "local_proxy", "vnet"],
          optional: true,
        },
      },
    },
    "connect.accessRequest.create": {
      description: "An access request was created",
      apps: connectApps,
      properties: {
        cluster_name: clusterName,
        user_name: userName,
        kind: { class: "enum", description: "What was requested", values: ["role", "resource"] },
      },
    },
    "connect.accessRequest.review": {
      description: "An access request was reviewed",
      apps: connectApps,
      properties: { cluster_name: clusterName, user_name: userName },
    },
    "connect.accessRequest.assumeRole": {
      description: "A role from an approved access request was assumed",
      apps: connectApps,
      properties: { cluster_name: clusterName, user_name: userName },
    },
    "connect.fileTransfer.run": {
      description: "A file transfer ran",
      apps: connectApps,
      properties: {
        cluster_name: clusterName,
        user_name: userName,
        is_upload: { class: "bool", description: "Upload (true) or download (false)" },
      },
    },
    "connect.user.job_role": {
      description: "The user chose a job role in the one-time dialog",
      apps: connectApps,
      properties: {
        // Teleport Connect's dialog offers these; "Other" lets the user type a role, which is
        // never stored as typed.
        job_role: {
          class: "enum",
          description: "The job role chosen in Teleport Connect's dialog",
          values: [
            "Software Engineer",
            "Support Engineer",
            "DevOps Engineer",
            "Solutions Architect",
            "System Administrator",
          ],
          other: "Other",
        },
      },
    },
    "connect.connectMyComputer.setup": {
      description: "Connect My Computer setup finished",
      apps: connectApps,
      properties: {
        cluster_name: clusterName,
        user_name: userName,
        success: { class: "bool", description: "Whether setup succeeded" },
        // Connect My Computer's setup steps, as Teleport Connect names them in this event.
        failed_step: {
          class: "enum",
          description: "The setup step that failed (absent on success)",
          values: [
            "downloading_agent",
            "verifying_agent",
            "setting_up_role",
            "generating_config_file",
            "joining_cluster",
          ],
          other: "other",
          optional: true,
        },
      },
    },
    "connect.connectMyComputer.agentStart": {
      description: "The Connect My Computer agent started",
      apps: connectApps,
      properties: { cluster_name: clusterName, user_name: userName },
    },
  },
};
