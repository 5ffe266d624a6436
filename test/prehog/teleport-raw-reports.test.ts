import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { forgetCachedTokens } from "../../src/tenants/verify";
import { randomDigest } from "../helpers/events";
import { bearer } from "../helpers/harness";
import { workerFetch } from "./helpers";
import { rpc, tenant } from "./raw-requests";
import { bytes, concat, digestBytes, int, msg, packedFixed64, str, time, uuidBytes } from "./wire";

/**
 * Requests written byte by byte from the field numbers of Teleport's proto/prehog (v1alpha at
 * 042979861dcf7de57a04d2728dcf6f4376a1396c, v1 at 0346dfd6abe8eca99c611bcf4367ef042917fbb0,
 * tbot at 1750e3660c1815cb1c80aa4a50043e3bac154ca7), not from edgehog's .proto: one of each kind
 * of request (events, the single event, tbot's event, and every kind of usage report), with the
 * newest fields, sent as Teleport's clients send them (Connect, binary, uncompressed).
 */

describe("SubmitUsageReports as raw protobuf bytes and as Teleport's JSON", () => {
  beforeEach(() => forgetCachedTokens());

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
