import { JOIN_METHODS } from "./teleport-properties";
import type { AppSpec, EventSpec } from "./types";

/**
 * Machine ID's tbot in the catalogue: the app `teleport-tbot` and its one event, the anonymous
 * start event of prehog.v1alpha.TbotReportingService (docs/PREHOG.md). tbot sends it only when its
 * operator opted in, and nothing in it names a user, a host or a cluster.
 */

export const tbotApp: AppSpec = {
  description: "Machine ID's tbot, reporting its start anonymously when its operator opted in",
  commonProperties: {
    version: { class: "version", description: "tbot's version", optional: true },
  },
  dimensions: { appVersion: "version" },
};

export const tbotStart: EventSpec = {
  description: "tbot started, whether or not it then reached its cluster",
  apps: ["teleport-tbot"],
  clientSdk: false,
  properties: {
    run_mode: {
      class: "enum",
      description: "Run once, or renew in the background",
      values: ["one_shot", "daemon"],
      other: "other",
      optional: true,
    },
    join_type: {
      class: "enum",
      description: "How tbot joins its cluster",
      values: [...JOIN_METHODS],
      other: "other",
      optional: true,
    },
    helper: {
      class: "enum",
      description: "The wrapper that started tbot",
      values: ["gha", "github-actions", "gitlab", "circleci", "spacelift", "terraform", "kubernetes"],
      other: "other",
      optional: true,
    },
    helper_version: { class: "version", description: "The wrapper's version", optional: true },
    destinations_other: { class: "count", description: "Other outputs", optional: true },
    destinations_database: { class: "count", description: "Database outputs", optional: true },
    destinations_kubernetes: { class: "count", description: "Kubernetes outputs", optional: true },
    destinations_application: { class: "count", description: "Application outputs", optional: true },
  },
};
