import { createHmac, randomUUID } from "node:crypto";
import { gzipSync } from "node:zlib";
import { toBinary } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { Code, type ConnectError, createClient, type Transport } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import {
  ResourceKind,
  TeleportReportingService as UsageReportingService,
  UserKind,
} from "../../src/prehog/gen/prehog/v1/teleport_pb";
import {
  ConnectReportingService,
  SubmitConnectEventRequestSchema,
} from "../../src/prehog/gen/prehog/v1alpha/connect_pb";
import { rejection } from "../helpers/connect-error";
import { connectCases, connectRequest, randomDigest } from "../prehog/fixtures";
import {
  adminHeaders,
  daysAgo,
  type EventStats,
  eventsOnceCounted,
  FORMATS,
  type Format,
  newTenantToken,
  transportsFor,
} from "./prehog-collector";
import { type RunningCollector, startCollector } from "./wrangler-dev";

/**
 * Teleport's reporting RPCs against the collector under `wrangler dev`, with real clients:
 * `@connectrpc/connect-web`'s Connect and gRPC-Web transports over Node's fetch, and raw HTTP
 * for gzip bodies (those transports do not compress requests).
 */

const SUBMIT_CONNECT_EVENT = "/prehog.v1alpha.ConnectReportingService/SubmitConnectEvent";

describe("prehog RPCs under wrangler dev, with real Connect and gRPC-Web clients", () => {
  let collector: RunningCollector;
  const transports = {} as Record<Format, Transport>;
  const admin = () => adminHeaders(collector);

  beforeAll(async () => {
    collector = await startCollector();
    Object.assign(transports, transportsFor(collector.url));
  });
  afterAll(async () => {
    await collector?.stop();
  });

  const statsOnceDrained = (day: string, done: (s: EventStats) => boolean) => eventsOnceCounted(collector, day, done);
  const tenantToken = (name: string) => newTenantToken(collector, name);

  it("counts every Connect event kind sent in binary and JSON, over Connect and gRPC-Web", async () => {
    const { day, at } = daysAgo(2);
    for (const format of FORMATS) {
      const rpc = createClient(ConnectReportingService, transports[format]);
      const install = randomUUID();
      for (const c of connectCases()) await rpc.submitConnectEvent(connectRequest(c.event, install, at));
    }
    const kinds = connectCases().map((c) => c.native.event);
    // Wait for every event, not only every kind: the consumer may still be storing the last ones.
    const counted = await statsOnceDrained(day, (s) => kinds.every((kind) => s.events[kind] === FORMATS.length));
    expect(counted.events).toEqual(Object.fromEntries(kinds.map((name) => [name, FORMATS.length])));
    expect(counted.active_installs).toBe(FORMATS.length);
  });

  it("takes gzip bodies and counts a resent event once, whatever its wire format", async () => {
    const { day, at } = daysAgo(3);
    const [login, use] = connectCases();
    if (login?.kind !== "clusterLogin" || use?.kind !== "protocolUse") throw new Error("unexpected cases");
    const install = randomUUID();
    const first = connectRequest(login.event, install, at);
    await createClient(ConnectReportingService, transports["connect+proto"]).submitConnectEvent(first);
    await statsOnceDrained(day, (s) => s.events["connect.cluster.login"] === 1);

    // The client retries: the same event in every other wire format, and gzipped.
    for (const format of FORMATS.slice(1))
      await createClient(ConnectReportingService, transports[format]).submitConnectEvent(first);
    const bytes = toBinary(SubmitConnectEventRequestSchema, first);
    const connectGzip = await fetch(`${collector.url}${SUBMIT_CONNECT_EVENT}`, {
      method: "POST",
      headers: { "content-type": "application/proto", "connect-protocol-version": "1", "content-encoding": "gzip" },
      body: gzipSync(bytes),
    });
    expect(connectGzip.status).toBe(200);
    const compressed = gzipSync(bytes);
    const envelope = Buffer.concat([Buffer.from([1, 0, 0, 0, 0]), compressed]);
    envelope.writeUInt32BE(compressed.length, 1);
    const grpcWebGzip = await fetch(`${collector.url}${SUBMIT_CONNECT_EVENT}`, {
      method: "POST",
      headers: { "content-type": "application/grpc-web+proto", "grpc-encoding": "gzip", "x-grpc-web": "1" },
      body: envelope,
    });
    expect(grpcWebGzip.status).toBe(200);
    expect(Buffer.from(await grpcWebGzip.arrayBuffer()).toString("latin1")).toMatch(/grpc-status: ?0/);

    // Another event, sent after the retries, shows once the Queue has drained up to it.
    await createClient(ConnectReportingService, transports["connect+json"]).submitConnectEvent(
      connectRequest(use.event, install, at),
    );
    const counted = await statsOnceDrained(day, (s) => s.events["connect.protocol.use"] === 1);
    expect(counted.events).toEqual({ "connect.cluster.login": 1, "connect.protocol.use": 1 });
    expect(counted.active_installs).toBe(1);
  });

  it("answers invalid_argument for a plain name and unauthenticated without a tenant token", async () => {
    const plain = await rejection(
      createClient(ConnectReportingService, transports["connect+json"]).submitConnectEvent(
        connectRequest(
          {
            case: "fileTransferRun",
            value: { clusterName: randomDigest(), userName: "alice@example.com", isUpload: true },
          },
          randomUUID(),
          Date.now(),
        ),
      ),
    );
    expect(plain.code).toBe(Code.InvalidArgument);
    expect(plain.rawMessage).toMatch(/^not_anonymized \(properties\.user_name\): /);

    const anonymous = await rejection(
      createClient(UsageReportingService, transports["grpc-web+proto"]).submitUsageReports({}),
    );
    expect(anonymous.code).toBe(Code.Unauthenticated);
  });

  it("bills reports sent with SubmitUsageReports exactly as the same reports sent to POST /v1/usage", async () => {
    const [jsonToken, rpcToken] = [await tenantToken("e2e-json"), await tenantToken("e2e-rpc")];
    const key = `e2e-cluster-${randomUUID()}`;
    const mac = (name: string) => createHmac("sha256", key).update(name).digest();
    const start = Math.floor(Date.now() / 900_000) * 900_000 - 900_000;
    const users = ["alice", "bob", "carol"];
    const nodes = ["node-1", "node-2", "node-3", "node-4"];
    const bots = ["bot-instance-1", "bot-instance-2"];

    const header = { cluster_name: mac("prod").toString("base64"), reporter_hostid: mac("auth-1").toString("base64") };
    const json = await fetch(`${collector.url}/v1/usage`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${jsonToken}` },
      body: JSON.stringify({
        reports: [
          {
            kind: "user_activity",
            report_uuid: randomUUID(),
            ...header,
            start_time: new Date(start).toISOString(),
            records: users.map((u) => ({ user_name: mac(u).toString("base64"), user_kind: "human", logins: 1 })),
          },
          {
            kind: "resource_presence",
            report_uuid: randomUUID(),
            ...header,
            start_time: new Date(start).toISOString(),
            resources: [{ kind: "node", ids: nodes.map((n) => mac(n).toString("base64")) }],
          },
          {
            kind: "bot_instance_activity",
            report_uuid: randomUUID(),
            ...header,
            start_time: new Date(start).toISOString(),
            records: bots.map((b) => ({
              bot_instance_id: mac(b).toString("base64"),
              bot_user_name: mac("bot-ci").toString("base64"),
              bot_joins: 1,
            })),
          },
        ],
      }),
    });
    expect(await json.json()).toEqual({ accepted: 3, duplicates: 0, rejected: [] });

    const uuid = () => Buffer.from(randomUUID().replace(/-/g, ""), "hex");
    const rpcHeader = () => ({
      reportUuid: uuid(),
      clusterName: mac("prod"),
      reporterHostid: mac("auth-1"),
      startTime: timestampFromMs(start),
    });
    const response = await createClient(UsageReportingService, transports["connect+proto"]).submitUsageReports(
      {
        userActivity: [
          { ...rpcHeader(), records: users.map((u) => ({ userName: mac(u), userKind: UserKind.HUMAN, logins: 1n })) },
        ],
        resourcePresence: [
          {
            ...rpcHeader(),
            resourceKindReports: [
              { resourceKind: ResourceKind.NODE, resourceIds: nodes.map((n) => mac(n).readBigUInt64LE(0)) },
            ],
          },
        ],
        botInstanceActivity: [
          {
            ...rpcHeader(),
            records: bots.map((b) => ({ botInstanceId: mac(b), botUserName: mac("bot-ci"), botJoins: 1n })),
          },
        ],
      },
      { headers: { authorization: `Bearer ${rpcToken}` } },
    );
    expect(response.batchUuid).toHaveLength(16);

    expect((await fetch(`${collector.url}/cdn-cgi/handler/scheduled?cron=17+*+*+*+*`)).status).toBe(200);
    const month = new Date(start).toISOString().slice(0, 7);
    const figures = async (tenant: string) => {
      const res = await fetch(`${collector.url}/v1/billing/usage?month=${month}&tenant=${tenant}`, {
        headers: admin(),
      });
      const [row] = ((await res.json()) as { rows: Record<string, unknown>[] }).rows;
      return {
        mau: row?.mau,
        tpr: row?.tpr,
        mwi: row?.mwi,
        mau_high_water: row?.mau_high_water,
        tpr_high_water: row?.tpr_high_water,
        mwi_high_water: row?.mwi_high_water,
      };
    };
    const viaJson = await figures("e2e-json");
    expect(viaJson.mau).toBe(users.length);
    expect(viaJson.tpr).toBeGreaterThan(0);
    expect(viaJson.mwi).toBeGreaterThan(0);
    expect(await figures("e2e-rpc")).toEqual(viaJson);
  });

  // Last: it spends this client's allowance of failed token attempts.
  it("answers resource_exhausted with Retry-After once a client has presented too many bad tokens", async () => {
    const rpc = createClient(UsageReportingService, transports["connect+proto"]);
    const headers = { authorization: `Bearer ehk_${"Z".repeat(43)}`, "cf-connecting-ip": "192.0.2.77" };
    let error: ConnectError | undefined;
    for (let attempt = 0; attempt < 20 && error?.code !== Code.ResourceExhausted; attempt++) {
      error = await rejection(rpc.submitUsageReports({}, { headers }));
      if (error.code !== Code.ResourceExhausted) expect(error.code).toBe(Code.Unauthenticated);
    }
    expect(error?.code).toBe(Code.ResourceExhausted);
    expect(error?.rawMessage).toMatch(/^rate_limited: too many failed token attempts from this client/);
    expect(error?.metadata.get("retry-after")).toMatch(/^[1-9][0-9]*$/);
  });
});
