import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { createTenant, issueToken } from "../../src/tenants/admin";
import { forgetCachedTokens } from "../../src/tenants/verify";
import { getPage, signIn } from "../helpers/dashboard";
import { randomDigest } from "../helpers/events";
import { deliver } from "../helpers/queue";
import { bearer } from "../helpers/tenants";
import { capturingQueue, workerFetch } from "./helpers";
import { recordingQueue } from "./recording-queue";
import { bytes, concat, digestBytes, int, msg, packedFixed64, str, time, uuidBytes } from "./wire";

/**
 * Requests written byte by byte from the field numbers of Teleport's proto/prehog (v1alpha at
 * 042979861dcf7de57a04d2728dcf6f4376a1396c, v1 at 0346dfd6abe8eca99c611bcf4367ef042917fbb0,
 * tbot at 1750e3660c1815cb1c80aa4a50043e3bac154ca7), not from edgehog's .proto: one of each kind
 * of request (events, the single event, tbot's event, and every kind of usage report), with the
 * fields this change adds, sent as Teleport's clients send them (Connect, binary, uncompressed).
 */

const DAY = 86_400_000;

async function rpc(path: string, body: Uint8Array, headers: Record<string, string>, bindings: Env = env) {
  return workerFetch(bindings)(`http://edgehog.test/${path}`, {
    method: "POST",
    headers: { "content-type": "application/proto", ...headers },
    body,
  });
}

/** A tenant whose term began well before the reports of the test, with a token. */
async function tenant() {
  const first = new Date(Date.now() - 40 * DAY).toISOString().slice(0, 8);
  const row = await createTenant(env.DB, {
    name: `raw-${crypto.randomUUID().slice(0, 8)}`,
    termStart: `${first}01`,
    now: Date.now(),
  });
  return { row, token: (await issueToken(env.DB, row.id, { now: Date.now() })).token };
}

describe("Teleport's requests as raw protobuf bytes", () => {
  beforeEach(() => forgetCachedTokens());

  it("stores SubmitEvents' cases by Teleport's numbers, and counts a newer case by its number on the drops page", async () => {
    const { token } = await tenant();
    const [cluster, user, device, host, bot] = [
      randomDigest(),
      randomDigest(),
      randomDigest(),
      randomDigest(),
      randomDigest(),
    ];
    const at = Date.now() - 60_000;
    const wizard = crypto.randomUUID();
    const envelope = (n: number, ...event: Uint8Array[]) =>
      msg(1, str(1, cluster), time(2, at + n), str(95, "17.1.0"), ...event);
    const body = msg(
      undefined,
      envelope(0, msg(3, str(1, user), str(2, "saml"), str(3, device), str(4, "hardware_key"), int(5, 2))),
      envelope(
        1,
        msg(
          20,
          str(1, user),
          str(2, "db"),
          msg(3, str(1, "rds"), str(2, "postgres"), str(3, "cloud"), str(4, "psql 16")),
          int(5, 1),
        ),
      ),
      envelope(2, msg(19, str(1, user), msg(2, int(1, 43_200)), int(3, 1), str(9, bot))),
      envelope(3, msg(39, bytes(1, digestBytes(host)), int(2, 7), int(3, 1))),
      envelope(
        4,
        msg(
          17,
          msg(1, str(1, wizard), str(2, user), int(3, 1)),
          msg(2, int(1, 3), str(2, "dial tcp 10.9.8.7:5432: refused")),
        ),
      ),
      envelope(
        5,
        msg(
          38,
          str(1, "17.1.0"),
          str(2, host),
          str(3, "Node"),
          str(3, "Proxy"),
          str(4, "linux"),
          str(5, "Ubuntu 22.04"),
          str(8, "systemctl"),
        ),
      ),
      envelope(6, msg(99, str(1, user), str(2, "node"), str(2, "db"))),
      envelope(7, msg(97, str(1, user))),
      envelope(8, msg(108, str(1, "aws"), int(2, 120), int(3, 400))),
      envelope(9, msg(75, str(1, user), msg(2, str(1, bot)), int(3, -2), int(7, 1))),
      envelope(10, msg(130, str(1, "a kind this schema does not know"))),
      // A step's error text far longer than an event may be: dropped, never refusing the step.
      envelope(
        11,
        msg(29, msg(1, str(1, wizard), str(2, user)), msg(3, int(1, 3), str(2, `failed: ${"x".repeat(20_000)}`))),
      ),
    );
    const recording = recordingQueue();
    const { queue, events } = capturingQueue(recording.queue);
    const res = await rpc("prehog.v1alpha.TeleportReportingService/SubmitEvents", body, bearer(token), {
      ...env,
      EVENTS_QUEUE: queue,
    });
    expect(res.status).toBe(200);
    expect([res.headers.get("edgehog-accepted"), res.headers.get("edgehog-rejected")]).toEqual(["11", "1"]);
    const envelopeProps = { cluster_name: cluster, teleport_version: "17.1.0" };
    const stored = (n: number) => events.find((e) => e.timestamp === at + n);
    expect(stored(0)).toMatchObject({ event: "tp.user.login", app_version: "17.1.0" });
    expect(stored(0)?.properties).toEqual({
      ...envelopeProps,
      user_name: user,
      connector_type: "saml",
      device_id: device,
      required_private_key_policy: "hardware_key",
      user_origin: "sso",
    });
    expect(stored(1)?.properties).toEqual({
      ...envelopeProps,
      user_name: user,
      session_type: "db",
      database_db_type: "rds",
      database_db_protocol: "postgres",
      database_db_origin: "cloud",
      user_kind: "human",
    });
    expect(stored(2)?.properties).toEqual({
      ...envelopeProps,
      user_name: user,
      ttl_minutes: 720,
      is_bot: true,
      usage_database: false,
      usage_app: false,
      usage_kubernetes: false,
      usage_desktop: false,
      bot_instance_id: bot,
    });
    expect(stored(3)?.properties).toEqual({
      ...envelopeProps,
      resource_name: host,
      resource_kind: "node.openssh_ec2_ice",
      static: true,
    });
    expect(stored(4)?.properties).toEqual({
      ...envelopeProps,
      metadata_id: wizard,
      metadata_user_name: user,
      metadata_sso: true,
      status: "error",
    });
    expect(stored(5)?.properties).toEqual({
      ...envelopeProps,
      version: "17.1.0",
      host_id: host,
      services_node: true,
      services_proxy: true,
      os: "linux",
      install_methods_systemctl: true,
    });
    expect(stored(6)?.properties).toEqual({
      ...envelopeProps,
      user_name: user,
      resource_kinds_node: true,
      resource_kinds_db: true,
    });
    expect(stored(7)).toMatchObject({
      event: "tp.access_request.create",
      properties: { ...envelopeProps, user_name: user },
    });
    expect(stored(8)?.properties).toEqual({
      ...envelopeProps,
      provider: "aws",
      total_identities: 120,
      total_resources: 400,
    });
    expect(stored(9)?.properties).toEqual({
      ...envelopeProps,
      user_name: user,
      metadata_id: bot,
      days_past_next_audit_date: -2,
      membership_requirements_changed: false,
      review_frequency_changed: false,
      review_day_of_month_changed: false,
      number_of_removed_members: 1,
    });
    expect(stored(11)).toMatchObject({ event: "tp.ui.discover.testConnection", properties: { status: "error" } });
    expect(JSON.stringify(events)).not.toMatch(/10\.9\.8\.7|Ubuntu|psql/);
    await deliver(recording.bodies);

    const rows = async (sql: string, ...params: unknown[]) =>
      (
        await env.DB.prepare(sql)
          .bind(...params)
          .all<Record<string, unknown>>()
      ).results;
    const counts = await rows(
      "SELECT event, SUM(count) AS n FROM daily_event_counts WHERE app = 'teleport-cluster' GROUP BY event ORDER BY event",
    );
    expect(counts).toEqual(
      expect.arrayContaining([
        { event: "tp.user.login", n: 1 },
        { event: "tp.session.start", n: 1 },
        { event: "tp.certificate.issued", n: 1 },
        { event: "tp.resource.hb", n: 1 },
        { event: "tp.ui.discover.started", n: 1 },
        { event: "tp.agent.metadata", n: 1 },
        { event: "tp.access_request.create", n: 2 },
        { event: "tp.identity_security.graph_size", n: 1 },
        { event: "tp.accessList.review.create", n: 1 },
      ]),
    );
    const rejections = await rows("SELECT error, count FROM daily_rejections WHERE app = 'teleport-cluster'");
    expect(rejections).toContainEqual({ error: "unknown_event oneof 130", count: 1 });
    const today = new Date().toISOString().slice(0, 10);
    const drops = await getPage(`/dashboard/drops?app=teleport-cluster&from=${today}&to=${today}`, await signIn());
    expect(await drops.text()).toContain("unknown_event oneof 130");
  });

  it("serves SubmitEvent, one event, from raw bytes", async () => {
    const { token } = await tenant();
    const [cluster, user] = [randomDigest(), randomDigest()];
    const at = Date.now() - 30_000;
    const body = msg(undefined, str(1, cluster), time(2, at), str(95, "16.4.7"), msg(36, str(1, user), int(2, 2)));
    const { queue, events } = capturingQueue();
    const res = await rpc("prehog.v1alpha.TeleportReportingService/SubmitEvent", body, bearer(token), {
      ...env,
      EVENTS_QUEUE: queue,
    });
    expect(res.status).toBe(200);
    expect(events).toMatchObject([
      {
        event: "tp.kube.request",
        timestamp: at,
        app_version: "16.4.7",
        properties: { cluster_name: cluster, teleport_version: "16.4.7", user_name: user, user_kind: "bot" },
      },
    ]);
  });

  it("serves tbot's SubmitTbotEvent from raw bytes without credentials", async () => {
    const run = crypto.randomUUID();
    const at = Date.now() - 10_000;
    const body = msg(
      undefined,
      str(1, run),
      time(2, at),
      msg(3, int(1, 2), str(2, "17.1.0"), str(3, "github"), str(4, "gha"), str(5, "1.2.3"), int(7, 2), int(9, 1)),
    );
    const { queue, events } = capturingQueue();
    const res = await rpc(
      "prehog.v1alpha.TbotReportingService/SubmitTbotEvent",
      body,
      {},
      { ...env, EVENTS_QUEUE: queue },
    );
    expect(res.status).toBe(200);
    expect(events).toMatchObject([
      {
        event: "tbot.start",
        distinct_id: run,
        timestamp: at,
        app_version: "17.1.0",
        properties: {
          run_mode: "daemon",
          version: "17.1.0",
          join_type: "github",
          helper: "gha",
          helper_version: "1.2.3",
          destinations_other: 0,
          destinations_database: 2,
          destinations_kubernetes: 0,
          destinations_application: 1,
        },
      },
    ]);
  });

  it("stores each of the five usage report kinds from raw bytes, with the fields this schema adds", async () => {
    const { row, token } = await tenant();
    const [cluster, host, alice, okta, resource, instance, botUser] = Array.from({ length: 7 }, randomDigest) as [
      string,
      string,
      string,
      string,
      string,
      string,
      string,
    ];
    const hour = Math.floor((Date.now() - 2 * 3_600_000) / 3_600_000) * 3_600_000;
    const uuids = Array.from({ length: 5 }, () => crypto.randomUUID());
    const header = (i: number) =>
      concat([
        bytes(1, uuidBytes(uuids[i] as string)),
        bytes(2, digestBytes(cluster)),
        bytes(3, digestBytes(host)),
        time(4, hour),
      ]);
    const body = msg(
      undefined,
      msg(
        1,
        header(0),
        msg(
          5,
          bytes(1, digestBytes(alice)),
          int(2, 1),
          int(14, 1),
          int(19, 2),
          msg(25, str(1, "ssh"), str(3, resource), int(4, 2)),
          int(26, 3),
          int(27, 4),
          int(28, 5),
          int(29, 6),
          int(9, 7),
        ),
        msg(5, bytes(1, digestBytes(okta)), int(2, 5), int(14, 3)),
      ),
      msg(2, header(1), msg(5, int(1, 7), packedFixed64(2, [1n, 2n]))),
      msg(3, header(2), msg(5, bytes(1, digestBytes(instance)), bytes(2, digestBytes(botUser)), int(3, 1))),
      msg(4, header(3), msg(5, str(1, "k8s"), str(2, resource), int(4, 1000), int(5, 200), int(6, 2))),
      msg(5, header(4), msg(5, str(1, "aws"), int(2, 50), int(3, 70)), msg(6, str(1, "cloudtrail"), int(2, 9000))),
    );
    const res = await rpc("prehog.v1.TeleportReportingService/SubmitUsageReports", body, bearer(token));
    expect(res.status).toBe(200);
    expect([res.headers.get("edgehog-accepted"), res.headers.get("edgehog-rejected")]).toEqual(["5", "0"]);
    const { results } = await env.DB.prepare(
      "SELECT kind, body FROM usage_reports WHERE tenant_id = ?1 ORDER BY report_uuid",
    )
      .bind(row.id)
      .all<{ kind: string; body: string }>();
    const byKind = Object.fromEntries(results.map((r) => [r.kind, JSON.parse(r.body)]));
    expect(byKind.user_activity.records).toMatchObject([
      {
        user_name: alice,
        user_kind: "human",
        user_origin: "sso",
        logins: 1,
        ssh_port_sessions: 7,
        access_graph_queries: 3,
        session_summary_search_queries: 4,
        session_summary_search_queries_with_filters: 5,
        linux_desktop_sessions: 6,
        session_summaries_accessed: [{ session_type: "ssh", resource_name: resource, count: 2 }],
      },
      { user_name: okta, user_kind: "system", logins: 5, user_origin: "unspecified" },
    ]);
    expect(byKind.resource_presence.resources).toMatchObject([{ kind: "node.openssh_ec2_ice" }]);
    expect(byKind.resource_presence.resources[0].ids).toHaveLength(2);
    expect(byKind.bot_instance_activity.records).toMatchObject([
      { bot_instance_id: instance, bot_user_name: botUser, bot_joins: 1 },
    ]);
    expect(byKind.identity_security_summaries).toMatchObject({
      report_uuid: uuids[3],
      records: [
        {
          session_type: "k8s",
          resource_name: resource,
          total_input_tokens: 1000,
          total_output_tokens: 200,
          summaries_generated: 2,
        },
      ],
    });
    expect(byKind.identity_security).toMatchObject({
      report_uuid: uuids[4],
      graph_size_records: [{ provider: "aws", total_identities: 50, total_resources: 70 }],
      audit_log_records: [{ provider: "cloudtrail", logs_ingested: 9000 }],
    });
    // The system user is not counted as a user; alice is, under her origin.
    const users = await env.DB.prepare("SELECT user_name, user_origin FROM tenant_daily_users WHERE tenant_id = ?1")
      .bind(row.id)
      .all();
    expect(users.results).toEqual([{ user_name: alice, user_origin: "sso" }]);
  });

  it("takes Teleport's JSON names: resource kind 7 as RESOURCE_KIND_NODE_OPENSSH_EICE, system users, origins", async () => {
    const { row, token } = await tenant();
    const hour = Math.floor((Date.now() - 2 * 3_600_000) / 3_600_000) * 3_600_000;
    const b64 = (bytes: Uint8Array) => btoa(String.fromCharCode(...bytes));
    const header = () => ({
      reportUuid: b64(uuidBytes(crypto.randomUUID())),
      clusterName: randomDigest(),
      reporterHostid: randomDigest(),
      startTime: new Date(hour).toISOString(),
    });
    const body = {
      userActivity: [
        {
          ...header(),
          records: [
            { userName: randomDigest(), userKind: "USER_KIND_SYSTEM", logins: "2" },
            { userName: randomDigest(), userKind: "USER_KIND_HUMAN", logins: "1", userOrigin: "USER_ORIGIN_ENTRAID" },
          ],
        },
      ],
      resourcePresence: [
        { ...header(), resourceKindReports: [{ resourceKind: "RESOURCE_KIND_NODE_OPENSSH_EICE", resourceIds: ["7"] }] },
      ],
    };
    const res = await workerFetch()("http://edgehog.test/prehog.v1.TeleportReportingService/SubmitUsageReports", {
      method: "POST",
      headers: { "content-type": "application/json", ...bearer(token) },
      body: JSON.stringify(body),
    });
    expect(res.status, await res.clone().text()).toBe(200);
    expect(res.headers.get("edgehog-accepted")).toBe("2");
    const kinds = await env.DB.prepare(
      "SELECT DISTINCT resource_kind AS kind FROM tenant_daily_resources WHERE tenant_id = ?1",
    )
      .bind(row.id)
      .all();
    expect(kinds.results).toEqual([{ kind: "node.openssh_ec2_ice" }]);
    const origins = await env.DB.prepare("SELECT user_origin FROM tenant_daily_users WHERE tenant_id = ?1")
      .bind(row.id)
      .all();
    expect(origins.results).toEqual([{ user_origin: "entraid" }]);
  });
});
