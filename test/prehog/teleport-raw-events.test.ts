import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { forgetCachedTokens } from "../../src/tenants/verify";
import { getPage, signIn } from "../helpers/dashboard";
import { randomDigest } from "../helpers/events";
import { bearer } from "../helpers/harness";
import { deliver, recordingEventsQueue } from "../helpers/queue";
import { rpc, tenant } from "./raw-requests";
import { bytes, digestBytes, int, msg, str, time } from "./wire";

/**
 * Requests written byte by byte from the field numbers of Teleport's proto/prehog (v1alpha at
 * 042979861dcf7de57a04d2728dcf6f4376a1396c, v1 at 0346dfd6abe8eca99c611bcf4367ef042917fbb0,
 * tbot at 1750e3660c1815cb1c80aa4a50043e3bac154ca7), not from edgehog's .proto: one of each kind
 * of request (events, the single event, tbot's event, and every kind of usage report), with the
 * newest fields, sent as Teleport's clients send them (Connect, binary, uncompressed).
 */

describe("SubmitEvents as raw protobuf bytes", () => {
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
    const { queue, events, bodies } = recordingEventsQueue({ passTo: env.EVENTS_QUEUE });
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
    await deliver(bodies);

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
});
