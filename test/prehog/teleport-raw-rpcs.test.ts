import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { forgetCachedTokens } from "../../src/tenants/verify";
import { randomDigest } from "../helpers/events";
import { bearer } from "../helpers/harness";
import { recordingEventsQueue } from "../helpers/queue";
import { rpc, tenant } from "./raw-requests";
import { int, msg, str, time } from "./wire";

/**
 * Requests written byte by byte from the field numbers of Teleport's proto/prehog (v1alpha at
 * 042979861dcf7de57a04d2728dcf6f4376a1396c, v1 at 0346dfd6abe8eca99c611bcf4367ef042917fbb0,
 * tbot at 1750e3660c1815cb1c80aa4a50043e3bac154ca7), not from edgehog's .proto: one of each kind
 * of request (events, the single event, tbot's event, and every kind of usage report), with the
 * newest fields, sent as Teleport's clients send them (Connect, binary, uncompressed).
 */

describe("SubmitEvent and SubmitTbotEvent as raw protobuf bytes", () => {
  beforeEach(() => forgetCachedTokens());

  it("serves SubmitEvent, one event, from raw bytes", async () => {
    const { token } = await tenant();
    const [cluster, user] = [randomDigest(), randomDigest()];
    const at = Date.now() - 30_000;
    const body = msg(undefined, str(1, cluster), time(2, at), str(95, "16.4.7"), msg(36, str(1, user), int(2, 2)));
    const { queue, events } = recordingEventsQueue({ passTo: env.EVENTS_QUEUE });
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
    const { queue, events } = recordingEventsQueue({ passTo: env.EVENTS_QUEUE });
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
});
