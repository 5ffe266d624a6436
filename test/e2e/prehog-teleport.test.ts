import { createHmac, randomUUID } from "node:crypto";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { createClient, type Transport } from "@connectrpc/connect";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { CLUSTER_EVENT_NAMES } from "../../src/prehog/cluster-events";
import {
  TeleportReportingService as UsageReportingService,
  UserKind,
  UserOrigin,
} from "../../src/prehog/gen/prehog/v1/teleport_pb";
import { TbotReportingService } from "../../src/prehog/gen/prehog/v1alpha/tbot_pb";
import { TeleportReportingService as EventReportingService } from "../../src/prehog/gen/prehog/v1alpha/teleport_pb";
import { type ClusterCase, sampleEvent, TELEPORT_CASES } from "../prehog/cluster-samples";
import { randomDigest } from "../prehog/fixtures";
import {
  adminHeaders,
  daysAgo,
  eventsOnceCounted,
  FORMATS,
  type Format,
  newTenantToken,
  transportsFor,
} from "./prehog-collector";
import { type RunningCollector, startCollector } from "./wrangler-dev";

/**
 * Teleport's cluster stream against the collector under `wrangler dev`, with real clients: every
 * case of SubmitEventRequest in every wire format, the single-event RPC, tbot's start event, and
 * Identity Security's reports and user origins billed alike through both usage doors.
 */

describe("Teleport's full reporting stream under wrangler dev", () => {
  let collector: RunningCollector;
  let transports = {} as Record<Format, Transport>;

  beforeAll(async () => {
    collector = await startCollector();
    transports = transportsFor(collector.url);
  });
  afterAll(async () => {
    await collector?.stop();
  });

  it("counts every event of Teleport's SubmitEventRequest over Connect and gRPC-Web, and tbot's start", async () => {
    const { day, at } = daysAgo(4);
    const token = await newTenantToken(collector, "e2e-teleport");
    const cluster = randomDigest();
    for (const [f, format] of FORMATS.entries()) {
      const events = TELEPORT_CASES.map((field, i) =>
        sampleEvent(field.localName as ClusterCase, cluster, at + f * 1000 + i),
      );
      const rpc = createClient(EventReportingService, transports[format]);
      await rpc.submitEvents({ events: events.slice(0, 60) }, { headers: { authorization: `Bearer ${token}` } });
      await rpc.submitEvents({ events: events.slice(60) }, { headers: { authorization: `Bearer ${token}` } });
    }
    const single = sampleEvent("sftp", cluster, at + 9000);
    await createClient(EventReportingService, transports["connect+proto"]).submitEvent(single, {
      headers: { authorization: `Bearer ${token}` },
    });
    const expected: Record<string, number> = {};
    for (const field of TELEPORT_CASES) {
      const name = CLUSTER_EVENT_NAMES[field.localName as ClusterCase];
      expected[name] = (expected[name] ?? 0) + FORMATS.length;
    }
    expected["tp.sftp"] = (expected["tp.sftp"] ?? 0) + 1;
    const total = Object.values(expected).reduce((a, b) => a + b, 0);
    const counted = await eventsOnceCounted(
      collector,
      day,
      (s) => Object.values(s.events).reduce((a, b) => a + b, 0) === total,
      "teleport-cluster",
    );
    expect(counted.events).toEqual(expected);

    await createClient(TbotReportingService, transports["grpc-web+proto"]).submitTbotEvent({
      distinctId: randomUUID(),
      timestamp: timestampFromMs(at),
      event: { case: "start", value: { runMode: 2, version: "17.1.0", joinType: "github", destinationsDatabase: 1 } },
    });
    const tbot = await eventsOnceCounted(collector, day, (s) => s.events["tbot.start"] === 1, "teleport-tbot");
    expect(tbot.active_installs).toBe(1);
  });

  it("bills Identity Security and user origins from SubmitUsageReports exactly as from POST /v1/usage", async () => {
    const [jsonToken, rpcToken] = [
      await newTenantToken(collector, "e2e-security-json"),
      await newTenantToken(collector, "e2e-security-rpc"),
    ];
    const key = `e2e-cluster-${randomUUID()}`;
    const mac = (name: string) => createHmac("sha256", key).update(name).digest();
    const start = Math.floor(Date.now() / 3_600_000) * 3_600_000 - 3_600_000;
    const iso = new Date(start).toISOString();
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
            start_time: iso,
            records: [
              { user_name: mac("alice").toString("base64"), user_kind: "human", logins: 1, user_origin: "sso" },
              { user_name: mac("okta-svc").toString("base64"), user_kind: "system", logins: 4 },
              { user_name: mac("bob").toString("base64"), user_kind: "human", access_graph_queries: 2 },
            ],
          },
          {
            kind: "identity_security_summaries",
            report_uuid: randomUUID(),
            ...header,
            start_time: iso,
            records: [
              { session_type: "ssh", summaries_generated: 3, total_input_tokens: 900, total_output_tokens: 90 },
            ],
          },
          {
            kind: "identity_security",
            report_uuid: randomUUID(),
            ...header,
            start_time: iso,
            graph_size_records: [{ provider: "aws", total_identities: 12, total_resources: 34 }],
            audit_log_records: [{ provider: "cloudtrail", logs_ingested: 5600 }],
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
    await createClient(UsageReportingService, transports["grpc-web+json"]).submitUsageReports(
      {
        userActivity: [
          {
            ...rpcHeader(),
            records: [
              { userName: mac("alice"), userKind: UserKind.HUMAN, logins: 1n, userOrigin: UserOrigin.SSO },
              { userName: mac("okta-svc"), userKind: UserKind.SYSTEM, logins: 4n },
              { userName: mac("bob"), userKind: UserKind.HUMAN, accessGraphQueries: 2n },
            ],
          },
        ],
        identitySecuritySummariesReport: [
          {
            ...rpcHeader(),
            records: [{ sessionType: "ssh", summariesGenerated: 3n, totalInputTokens: 900n, totalOutputTokens: 90n }],
          },
        ],
        identitySecurityReport: [
          {
            ...rpcHeader(),
            graphSizeRecords: [{ provider: "aws", totalIdentities: 12n, totalResources: 34n }],
            auditLogRecords: [{ provider: "cloudtrail", logsIngested: 5600n }],
          },
        ],
      },
      { headers: { authorization: `Bearer ${rpcToken}` } },
    );

    expect((await fetch(`${collector.url}/cdn-cgi/handler/scheduled?cron=17+*+*+*+*`)).status).toBe(200);
    const month = new Date(start).toISOString().slice(0, 7);
    const row = async (tenant: string) => {
      const res = await fetch(`${collector.url}/v1/billing/usage?month=${month}&tenant=${tenant}`, {
        headers: adminHeaders(collector),
      });
      const [found] = ((await res.json()) as { rows: Record<string, unknown>[] }).rows;
      const { tenant_id: _id, tenant_name: _name, computed_at: _at, ...figures } = found ?? {};
      return figures;
    };
    const viaJson = await row("e2e-security-json");
    expect(viaJson).toMatchObject({
      mau: 2,
      mau_by_origin: { sso: 1, unspecified: 1 },
      summaries_generated: 3,
      summary_input_tokens: 900,
      summary_output_tokens: 90,
      graph_identities: 12,
      graph_resources: 34,
      audit_logs_ingested: 5600,
    });
    expect(await row("e2e-security-rpc")).toEqual(viaJson);
  });
});
