import { env } from "cloudflare:workers";
import { create, type MessageInitShape } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { Code } from "@connectrpc/connect";
import { beforeEach, describe, expect, it } from "vitest";
import { toBase64 } from "../../src/lib/bytes";
import {
  ResourceKind,
  SubmitUsageReportsRequestSchema,
  TeleportReportingService,
  UserKind,
} from "../../src/prehog/gen/prehog/v1/teleport_pb";
import { forgetCachedTokens } from "../../src/tenants/verify";
import { aggregatesOf } from "../helpers/aggregates";
import { rejection } from "../helpers/connect-error";
import { bearer } from "../helpers/harness";
import { digestOf, tenantWithToken } from "../helpers/tenants";
import { client, type WireFormat, workerFetch } from "./helpers";
import { digestBytes, uuidBytes } from "./wire";

const QUARTER_HOUR = 15 * 60_000;
const START = Math.floor(Date.now() / QUARTER_HOUR) * QUARTER_HOUR - QUARTER_HOUR;

/** The raw 32-byte HMAC a cluster puts in a `bytes` field (the base64 digest, decoded). */
async function mac(name: string): Promise<Uint8Array> {
  return digestBytes(await digestOf(name));
}

/** Teleport's resource id: the first 8 bytes of the name's HMAC, read little-endian. */
async function resourceId(name: string): Promise<bigint> {
  return new DataView((await mac(name)).buffer).getBigUint64(0, true);
}

/** The digest docs/PREHOG.md says a resource id becomes: id (LE) ‖ SHA-256(domain ‖ id)[0..24]. */
async function documentedResourceDigest(id: bigint): Promise<string> {
  const idBytes = new Uint8Array(8);
  new DataView(idBytes.buffer).setBigUint64(0, id, true);
  const domain = new TextEncoder().encode("edgehog prehog.v1 resource id");
  const hash = new Uint8Array(await crypto.subtle.digest("SHA-256", new Uint8Array([...domain, ...idBytes])));
  return toBase64(new Uint8Array([...idBytes, ...hash.subarray(0, 24)]));
}

const uuids = { users: crypto.randomUUID(), resources: crypto.randomUUID(), bots: crypto.randomUUID() };
const nodes = ["node-1", "node-2", "node-3"];

async function rpcRequest(ids = uuids): Promise<MessageInitShape<typeof SubmitUsageReportsRequestSchema>> {
  const header = async (uuid: string) => ({
    reportUuid: uuidBytes(uuid),
    clusterName: await mac("cluster-a"),
    reporterHostid: await mac("auth-1"),
    startTime: timestampFromMs(START),
  });
  return {
    userActivity: [
      {
        ...(await header(ids.users)),
        records: [
          { userName: await mac("alice"), userKind: UserKind.HUMAN, logins: 2n, sshSessions: 1n },
          {
            userName: await mac("bob"),
            userKind: UserKind.BOT,
            kubeRequests: 5n,
            spiffeIdsIssued: [
              { spiffeId: await mac("spiffe://example/svc-a"), svidsIssued: 3 },
              { spiffeId: await mac("spiffe://example/svc-b"), svidsIssued: 0 },
            ],
          },
          { userName: await mac("idle"), userKind: UserKind.UNSPECIFIED },
        ],
      },
    ],
    resourcePresence: [
      {
        ...(await header(ids.resources)),
        resourceKindReports: [
          { resourceKind: ResourceKind.NODE, resourceIds: await Promise.all(nodes.map(resourceId)) },
          { resourceKind: ResourceKind.DB_SERVER, resourceIds: [await resourceId("db-1")] },
        ],
      },
    ],
    botInstanceActivity: [
      {
        ...(await header(ids.bots)),
        records: [
          { botInstanceId: await mac("bot-1"), botUserName: await mac("bot-ci"), botJoins: 1n },
          { botInstanceId: await mac("bot-2"), botUserName: await mac("bot-ci"), certificatesIssued: 3n },
        ],
      },
    ],
  };
}

/** The same reports as `POST /v1/usage` takes them, written by hand from docs/BILLING.md and docs/PREHOG.md. */
async function jsonBody() {
  const header = async (kind: string, uuid: string) => ({
    kind,
    report_uuid: uuid,
    cluster_name: await digestOf("cluster-a"),
    reporter_hostid: await digestOf("auth-1"),
    start_time: new Date(START).toISOString(),
  });
  return {
    reports: [
      {
        ...(await header("user_activity", uuids.users)),
        records: [
          { user_name: await digestOf("alice"), user_kind: "human", logins: 2, ssh_sessions: 1 },
          {
            user_name: await digestOf("bob"),
            user_kind: "bot",
            kube_requests: 5,
            spiffe_ids_issued: [
              { spiffe_id: await digestOf("spiffe://example/svc-a"), svids_issued: 3 },
              { spiffe_id: await digestOf("spiffe://example/svc-b"), svids_issued: 0 },
            ],
          },
          { user_name: await digestOf("idle"), user_kind: "unspecified" },
        ],
      },
      {
        ...(await header("resource_presence", uuids.resources)),
        resources: [
          {
            kind: "node",
            ids: await Promise.all(nodes.map(async (n) => documentedResourceDigest(await resourceId(n)))),
          },
          { kind: "db_server", ids: [await documentedResourceDigest(await resourceId("db-1"))] },
        ],
      },
      {
        ...(await header("bot_instance_activity", uuids.bots)),
        records: [
          { bot_instance_id: await digestOf("bot-1"), bot_user_name: await digestOf("bot-ci"), bot_joins: 1 },
          { bot_instance_id: await digestOf("bot-2"), bot_user_name: await digestOf("bot-ci"), certificates_issued: 3 },
        ],
      },
    ],
  };
}

/** Everything stored for a tenant, without the tenant id and the time it arrived. */
async function storedFor(tenantId: string) {
  const reports = await env.DB.prepare(
    `SELECT report_uuid, kind, cluster_name, reporter_hostid, start_time, end_time, hour, body, late
     FROM usage_reports WHERE tenant_id = ?1 ORDER BY report_uuid`,
  )
    .bind(tenantId)
    .all();
  return { reports: reports.results, ...(await aggregatesOf(tenantId)) };
}

describe("SubmitUsageReports (prehog.v1) through a real Connect client", () => {
  beforeEach(() => forgetCachedTokens());

  it.each<WireFormat>([
    "connect+proto",
    "grpc-web+json",
  ])("stores exactly what POST /v1/usage stores for the same reports (%s), and a resend adds nothing", async (format) => {
    const viaRpc = await tenantWithToken(`rpc-${crypto.randomUUID()}`);
    const viaJson = await tenantWithToken(`json-${crypto.randomUUID()}`);
    const rpc = client(TeleportReportingService, format);

    const response = await rpc.submitUsageReports(await rpcRequest(), { headers: bearer(viaRpc.issued.token) });
    expect(response.batchUuid).toHaveLength(16);
    const res = await workerFetch()("http://edgehog.test/v1/usage", {
      method: "POST",
      headers: { "content-type": "application/json", ...bearer(viaJson.issued.token) },
      body: JSON.stringify(await jsonBody()),
    });
    expect(await res.json()).toEqual({ accepted: 3, duplicates: 0, rejected: [] });

    const stored = await storedFor(viaRpc.tenant.id);
    expect(stored.reports).toHaveLength(3);
    expect(stored.users).toHaveLength(1); // alice; bob is a bot and the idle user had no interaction
    expect(stored.resources).toHaveLength(4);
    // bob (a bot user) and bot-ci (the instances' bot), bot-1 and bot-2, svc-a (svc-b issued nothing)
    expect(stored.workloads.map((w) => w.kind)).toEqual(["bot", "bot", "bot_instance", "bot_instance", "spiffe_id"]);
    expect(stored).toEqual(await storedFor(viaJson.tenant.id));

    const headers = new Headers();
    await rpc.submitUsageReports(await rpcRequest(), {
      headers: bearer(viaRpc.issued.token),
      onHeader: (h) => h.forEach((v, k) => void headers.set(k, v)),
    });
    expect(headers.get("edgehog-accepted")).toBe("0");
    expect(headers.get("edgehog-duplicates")).toBe("3");
    expect(await storedFor(viaRpc.tenant.id)).toEqual(stored);
  });

  it("rejects a report with a name that is not a 32-byte digest, and answers invalid_argument when none is left", async () => {
    const { issued } = await tenantWithToken(`bad-${crypto.randomUUID()}`);
    const rpc = client(TeleportReportingService);
    const request = create(
      SubmitUsageReportsRequestSchema,
      await rpcRequest({ users: crypto.randomUUID(), resources: crypto.randomUUID(), bots: crypto.randomUUID() }),
    );
    const users = request.userActivity[0];
    if (!users?.records[0]) throw new Error("no record");
    users.records[0].userName = new TextEncoder().encode("alice@example.com");

    const headers = new Headers();
    await rpc.submitUsageReports(request, {
      headers: bearer(issued.token),
      onHeader: (h) => h.forEach((v, k) => void headers.set(k, v)),
    });
    expect([headers.get("edgehog-accepted"), headers.get("edgehog-rejected")]).toEqual(["2", "1"]);

    const alone = await rejection(rpc.submitUsageReports({ userActivity: [users] }, { headers: bearer(issued.token) }));
    expect(alone.code).toBe(Code.InvalidArgument);
    expect(alone.rawMessage).toMatch(/^not_anonymized \(records\.0\.user_name\): /);
  });

  it("answers resource_exhausted for more than 10 reports and unauthenticated without a token", async () => {
    const { issued } = await tenantWithToken(`many-${crypto.randomUUID()}`);
    const rpc = client(TeleportReportingService, "grpc-web+proto");
    const one = (await rpcRequest()).userActivity ?? [];
    const tooMany = await rejection(
      rpc.submitUsageReports(
        { userActivity: Array.from({ length: 11 }, () => one).flat() },
        { headers: bearer(issued.token) },
      ),
    );
    expect(tooMany.code).toBe(Code.ResourceExhausted);
    expect(tooMany.rawMessage).toMatch(/^too_many_reports: /);

    const anonymous = await rejection(rpc.submitUsageReports(await rpcRequest()));
    expect(anonymous.code).toBe(Code.Unauthenticated);
  });
});
