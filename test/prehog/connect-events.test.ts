import { env } from "cloudflare:workers";
import { toBinary } from "@bufbuild/protobuf";
import { BinaryWriter, WireType } from "@bufbuild/protobuf/wire";
import { Code } from "@connectrpc/connect";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import {
  ConnectReportingService,
  SubmitConnectEventRequestSchema,
} from "../../src/prehog/gen/prehog/v1alpha/connect_pb";
import { rejection } from "../helpers/connect-error";
import { recordingEventsQueue } from "../helpers/queue";
import { connectCases, connectRequest, randomDigest } from "./fixtures";
import { client, WIRE_FORMATS, workerFetch } from "./helpers";

const V4_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;
const AT = Date.parse("2026-11-20T10:11:12.345Z");

describe("SubmitConnectEvent through a real Connect client", () => {
  it.each(WIRE_FORMATS)("stores every event kind sent as %s as the native API would", async (format) => {
    const { queue, events } = recordingEventsQueue({ passTo: env.EVENTS_QUEUE });
    const rpc = client(ConnectReportingService, format, { ...env, EVENTS_QUEUE: queue });
    const install = crypto.randomUUID();
    for (const c of connectCases()) {
      const response = await rpc.submitConnectEvent(connectRequest(c.event, install, AT));
      expect(response.$typeName).toBe("prehog.v1alpha.SubmitConnectEventResponse");
    }
    const cases = connectCases();
    expect(events.map((e) => e.event)).toEqual(cases.map((c) => c.native.event));
    for (const [i, stored] of events.entries()) {
      const expected = cases[i]?.native;
      expect(stored.uuid).toMatch(V4_UUID);
      expect(stored.distinct_id).toBe(install);
      expect(stored.timestamp).toBe(AT);
      expect(Object.keys(stored.properties).sort()).toEqual(Object.keys(expected?.properties ?? {}).sort());
    }
  });

  it("stores exactly what POST /v1/events stores for the same event", async () => {
    for (const c of connectCases()) {
      const viaRpc = recordingEventsQueue({ passTo: env.EVENTS_QUEUE });
      const install = crypto.randomUUID();
      await client(ConnectReportingService, "connect+proto", { ...env, EVENTS_QUEUE: viaRpc.queue }).submitConnectEvent(
        connectRequest(c.event, install, AT),
      );
      const [stored] = viaRpc.events;
      expect(stored).toBeDefined();

      const viaJson = recordingEventsQueue({ passTo: env.EVENTS_QUEUE });
      const res = await workerFetch({ ...env, EVENTS_QUEUE: viaJson.queue })("http://edgehog.test/v1/events", {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({
          app: "teleport-connect",
          events: [{ uuid: stored?.uuid, distinct_id: install, timestamp: new Date(AT).toISOString(), ...c.native }],
        }),
      });
      expect(res.status).toBe(202);
      expect(viaJson.events).toEqual([stored]);
      expect(stored?.properties).toEqual(c.native.properties);
    }
  });

  it("derives the same uuid for the same event in every wire format, so a retry is not counted twice", async () => {
    const [c] = connectCases();
    if (!c) throw new Error("no case");
    const request = connectRequest(c.event, crypto.randomUUID(), AT);
    const { queue, events } = recordingEventsQueue({ passTo: env.EVENTS_QUEUE });
    for (const format of WIRE_FORMATS) {
      await client(ConnectReportingService, format, { ...env, EVENTS_QUEUE: queue }).submitConnectEvent(request);
    }
    expect(events).toHaveLength(WIRE_FORMATS.length);
    expect(new Set(events.map((e) => e.uuid)).size).toBe(1);
  });

  it("derives different v4 uuids for events that differ in install, time or content", async () => {
    const { queue, events } = recordingEventsQueue({ passTo: env.EVENTS_QUEUE });
    const rpc = client(ConnectReportingService, "connect+proto", { ...env, EVENTS_QUEUE: queue });
    const cluster = randomDigest();
    const base = { install: crypto.randomUUID(), at: AT, user: randomDigest() };
    await fc.assert(
      fc.asyncProperty(
        fc.constantFrom("install", "at", "user"),
        fc.integer({ min: 1, max: 86_400_000 }),
        async (change, delta) => {
          const variant = {
            install: change === "install" ? crypto.randomUUID() : base.install,
            at: change === "at" ? base.at - delta : base.at,
            user: change === "user" ? randomDigest() : base.user,
          };
          events.length = 0;
          for (const v of [base, variant]) {
            const event = { case: "accessRequestReview" as const, value: { clusterName: cluster, userName: v.user } };
            await rpc.submitConnectEvent(connectRequest(event, v.install, v.at));
          }
          const [a, b] = events;
          expect(a?.uuid).toMatch(V4_UUID);
          expect(b?.uuid).toMatch(V4_UUID);
          expect(a?.uuid).not.toBe(b?.uuid);
        },
      ),
      { seed: 11, numRuns: 15 },
    );
  });

  it("answers invalid_argument for a plain name, a missing timestamp or an event it does not know", async () => {
    const rpc = client(ConnectReportingService);
    const install = crypto.randomUUID();

    const plain = await rejection(
      rpc.submitConnectEvent(
        connectRequest(
          {
            case: "protocolUse",
            value: { clusterName: "prod.example.com", userName: randomDigest(), protocol: "ssh" },
          },
          install,
          AT,
        ),
      ),
    );
    expect(plain.code).toBe(Code.InvalidArgument);
    expect(plain.rawMessage).toMatch(/^not_anonymized \(properties\.cluster_name\): /);

    const untimed = connectRequest({ case: "accessRequestReview", value: {} }, install, AT);
    untimed.timestamp = undefined;
    const noTime = await rejection(rpc.submitConnectEvent(untimed));
    expect(noTime.code).toBe(Code.InvalidArgument);
    expect(noTime.rawMessage).toMatch(/^invalid_timestamp \(timestamp\): timestamp is required/);

    // A newer client's event kind (oneof field 12) arrives as an unknown field.
    const newer = connectRequest({ case: undefined }, install, AT);
    newer.$unknown = [{ no: 12, wireType: WireType.LengthDelimited, data: new BinaryWriter().string("x").finish() }];
    expect(toBinary(SubmitConnectEventRequestSchema, newer).length).toBeGreaterThan(0);
    const unknown = await rejection(rpc.submitConnectEvent(newer));
    expect(unknown.code).toBe(Code.InvalidArgument);
    expect(unknown.rawMessage).toMatch(/^unknown_event \(event\): event "oneof 12" is not in the catalogue/);
  });
});
