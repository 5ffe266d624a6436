import { digestOf } from "./tenants";

/** A valid user-activity report with the given users (each with one login). */
export async function userActivityReport(options: {
  uuid?: string;
  start: string;
  users: string[];
  end?: string;
}): Promise<Record<string, unknown>> {
  return {
    kind: "user_activity",
    report_uuid: options.uuid ?? crypto.randomUUID(),
    cluster_name: await digestOf("cluster-a"),
    reporter_hostid: await digestOf("auth-1"),
    start_time: options.start,
    ...(options.end ? { end_time: options.end } : {}),
    records: await Promise.all(
      options.users.map(async (user) => ({ user_name: await digestOf(user), user_kind: "human", logins: 1 })),
    ),
  };
}

/** A valid resource-presence report listing `nodes` as node resources. */
export async function resourcePresenceReport(options: {
  uuid?: string;
  start: string;
  nodes: string[];
}): Promise<Record<string, unknown>> {
  return {
    kind: "resource_presence",
    report_uuid: options.uuid ?? crypto.randomUUID(),
    cluster_name: await digestOf("cluster-a"),
    reporter_hostid: await digestOf("auth-1"),
    start_time: options.start,
    resources: [{ kind: "node", ids: await Promise.all(options.nodes.map((n) => digestOf(n))) }],
  };
}

/** A valid bot-instance report; each instance joined once. */
export async function botInstanceReport(options: {
  uuid?: string;
  start: string;
  instances: string[];
}): Promise<Record<string, unknown>> {
  return {
    kind: "bot_instance_activity",
    report_uuid: options.uuid ?? crypto.randomUUID(),
    cluster_name: await digestOf("cluster-a"),
    reporter_hostid: await digestOf("auth-1"),
    start_time: options.start,
    records: await Promise.all(
      options.instances.map(async (instance) => ({
        bot_instance_id: await digestOf(instance),
        bot_user_name: await digestOf("bot-ci"),
        bot_joins: 1,
      })),
    ),
  };
}
