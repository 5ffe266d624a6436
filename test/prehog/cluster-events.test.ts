import { env } from "cloudflare:workers";
import { create } from "@bufbuild/protobuf";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { Code } from "@connectrpc/connect";
import { beforeEach, describe, expect, it } from "vitest";
import {
  type SubmitEventRequest,
  SubmitEventRequestSchema,
  TeleportReportingService,
} from "../../src/prehog/gen/prehog/v1alpha/teleport_pb";
import { setDisabled } from "../../src/tenants/admin";
import { forgetCachedTokens } from "../../src/tenants/verify";
import { rejection } from "../helpers/connect-error";
import { bearer } from "../helpers/harness";
import { recordingEventsQueue } from "../helpers/queue";
import { digestOf, tenantWithToken } from "../helpers/tenants";
import { client, WIRE_FORMATS, workerFetch } from "./helpers";

const AT = Date.parse("2026-11-20T09:00:00Z");

async function heartbeat(host = "auth-1"): Promise<SubmitEventRequest> {
  return create(SubmitEventRequestSchema, {
    clusterName: await digestOf("prod"),
    timestamp: timestampFromMs(AT),
    teleportVersion: "17.1.0",
    event: { case: "clusterHeartbeat", value: { reporterHostid: await digestOf(host), authServers: 2 } },
  });
}

/** A cluster event of a Teleport newer than this schema (oneof field 130). */
async function newerTeleportEvent(): Promise<SubmitEventRequest> {
  const event = create(SubmitEventRequestSchema, {
    clusterName: await digestOf("prod"),
    timestamp: timestampFromMs(AT),
  });
  event.$unknown = [
    { no: 130, wireType: WireType.LengthDelimited, data: new BinaryWriter().bytes(new Uint8Array(0)).finish() },
  ];
  return event;
}

describe("TeleportReportingService (v1alpha) with a tenant token", () => {
  beforeEach(() => forgetCachedTokens());

  it.each(WIRE_FORMATS)("stores a heartbeat sent as %s exactly as POST /v1/events would", async (format) => {
    const { tenant, issued } = await tenantWithToken(`hb-${crypto.randomUUID()}`);
    const viaRpc = recordingEventsQueue({ passTo: env.EVENTS_QUEUE });
    await client(TeleportReportingService, format, { ...env, EVENTS_QUEUE: viaRpc.queue }).submitEvents(
      { events: [await heartbeat()] },
      { headers: bearer(issued.token) },
    );
    const [stored] = viaRpc.events;
    expect(stored).toMatchObject({
      event: "tp.cluster.heartbeat",
      timestamp: AT,
      app_version: "17.1.0",
      properties: {
        cluster_name: await digestOf("prod"),
        reporter_hostid: await digestOf("auth-1"),
        auth_servers: 2,
        teleport_version: "17.1.0",
      },
    });

    const viaJson = recordingEventsQueue({ passTo: env.EVENTS_QUEUE });
    const res = await workerFetch({ ...env, EVENTS_QUEUE: viaJson.queue })("http://edgehog.test/v1/events", {
      method: "POST",
      headers: { "content-type": "application/json", ...bearer(issued.token) },
      body: JSON.stringify({
        app: "teleport-cluster",
        events: [
          {
            uuid: stored?.uuid,
            event: "tp.cluster.heartbeat",
            distinct_id: stored?.distinct_id,
            timestamp: new Date(AT).toISOString(),
            properties: stored?.properties,
          },
        ],
      }),
    });
    expect(res.status).toBe(202);
    expect(viaJson.events).toEqual([stored]);
    expect(tenant.id).toBeTruthy();
  });

  it("derives one distinct_id per tenant and cluster, and the same uuid for a resent event", async () => {
    const { issued } = await tenantWithToken(`hb-${crypto.randomUUID()}`);
    const { queue, events } = recordingEventsQueue({ passTo: env.EVENTS_QUEUE });
    const rpc = client(TeleportReportingService, "connect+proto", { ...env, EVENTS_QUEUE: queue });
    const batch = { events: [await heartbeat("auth-1"), await heartbeat("auth-2")] };
    await rpc.submitEvents(batch, { headers: bearer(issued.token) });
    await rpc.submitEvents(batch, { headers: bearer(issued.token) });
    expect(events).toHaveLength(4);
    expect(new Set(events.map((e) => e.distinct_id)).size).toBe(1);
    expect(events.map((e) => e.uuid).slice(2)).toEqual(events.map((e) => e.uuid).slice(0, 2));
    expect(events[0]?.uuid).not.toBe(events[1]?.uuid);
  });

  it("accepts the events it knows and counts the others as rejected, in the response headers", async () => {
    const { issued } = await tenantWithToken(`hb-${crypto.randomUUID()}`);
    const { queue, events } = recordingEventsQueue({ passTo: env.EVENTS_QUEUE });
    const headers = new Headers();
    await client(TeleportReportingService, "connect+proto", { ...env, EVENTS_QUEUE: queue }).submitEvents(
      { events: [await heartbeat(), await newerTeleportEvent()] },
      { headers: bearer(issued.token), onHeader: (h) => h.forEach((v, k) => void headers.set(k, v)) },
    );
    expect(events).toHaveLength(1);
    expect(Object.fromEntries([...headers].filter(([k]) => k.startsWith("edgehog-")))).toEqual({
      "edgehog-accepted": "1",
      "edgehog-duplicates": "0",
      "edgehog-rejected": "1",
    });

    const none = await rejection(
      client(TeleportReportingService).submitEvents(
        { events: [await newerTeleportEvent()] },
        { headers: bearer(issued.token) },
      ),
    );
    expect(none.code).toBe(Code.InvalidArgument);
    expect(none.rawMessage).toMatch(/^unknown_event \(event\): event "oneof 130" is not in the catalogue/);
  });

  it("answers unauthenticated without a valid token and permission_denied for a disabled tenant", async () => {
    const rpc = client(TeleportReportingService, "grpc-web+proto");
    const missing = await rejection(rpc.submitEvents({ events: [await heartbeat()] }));
    expect(missing.code).toBe(Code.Unauthenticated);
    expect(missing.rawMessage).toBe("unauthorized: a tenant token is required: Authorization: Bearer ehk_…");
    expect(missing.metadata.get("www-authenticate")).toMatch(/^Bearer /);

    const bad = await rejection(rpc.helloTeleport({}, { headers: bearer(`ehk_${"A".repeat(43)}`) }));
    expect(bad.code).toBe(Code.Unauthenticated);

    const { tenant, issued } = await tenantWithToken(`off-${crypto.randomUUID()}`);
    expect(await rpc.helloTeleport({}, { headers: bearer(issued.token) })).toBeDefined();
    await setDisabled(env.DB, tenant.id, true);
    forgetCachedTokens();
    const disabled = await rejection(rpc.helloTeleport({}, { headers: bearer(issued.token) }));
    expect(disabled.code).toBe(Code.PermissionDenied);
    expect(disabled.rawMessage).toMatch(/^tenant_disabled: /);
  });
});
