import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { computeBilling } from "../../src/billing/compute";
import type { QueuedBatch } from "../../src/ingest/queue-message";
import { CLUSTER_EVENT_NAMES } from "../../src/prehog/cluster-events";
import { TeleportReportingService as UsageService } from "../../src/prehog/gen/prehog/v1/teleport_pb";
import { TeleportReportingService } from "../../src/prehog/gen/prehog/v1alpha/teleport_pb";
import { createTenant, issueToken } from "../../src/tenants/admin";
import { bearer, operatorGet } from "../helpers/harness";
import { deliver, recordingQueue } from "../helpers/queue";
import { allStoredStrings } from "../helpers/stored-strings";
import { digestOf } from "../helpers/tenants";
import { type ClusterCase, sampleEvent, TELEPORT_CASES } from "./cluster-samples";
import { client } from "./helpers";
import { hourOfUsageReports } from "./replay-reports";

/**
 * A realistic hour of one cluster replayed through the prehog door: 360 events (three of each of
 * the 120 kinds a current Teleport sends) in batches as its streaming reporter cuts them, and the
 * hour's usage reports (four 15-minute user and bot-instance windows, resource presence, four
 * session-summary windows, Identity Security from two Auth Services). Nothing Teleport sends is
 * refused, the events consumer counts every kind exactly, and the billing figures are exactly the
 * ones worked out below by hand.
 */

const HOUR_MS = 3_600_000;
const hour = Math.floor((Date.now() - 3 * HOUR_MS) / HOUR_MS) * HOUR_MS;
const day = new Date(hour).toISOString().slice(0, 10);
let tenantId = "";
let token = "";
const accepted = { events: 0, reports: 0 };
const rejected = { events: 0, reports: 0 };

const counts = (headers: Headers) => [Number(headers.get("edgehog-accepted")), Number(headers.get("edgehog-rejected"))];

describe("an hour of a cluster's reporting stream, replayed", () => {
  beforeAll(async () => {
    const termStart = `${new Date(hour - 40 * 86_400_000).toISOString().slice(0, 8)}01`;
    const tenant = await createTenant(env.DB, {
      name: `replay-${crypto.randomUUID().slice(0, 8)}`,
      termStart,
      now: Date.now(),
    });
    tenantId = tenant.id;
    token = (await issueToken(env.DB, tenant.id, { now: Date.now() })).token;

    const cluster = await digestOf("prod");
    const events = [0, 1, 2].flatMap((round) =>
      TELEPORT_CASES.map((field, i) =>
        sampleEvent(field.localName as ClusterCase, cluster, hour + round * 600_000 + i * 1000),
      ),
    );
    const recording = recordingQueue<QueuedBatch>({ passTo: env.EVENTS_QUEUE });
    const rpc = client(TeleportReportingService, "connect+proto", { ...env, EVENTS_QUEUE: recording.queue });
    for (let i = 0; i < events.length; i += 90) {
      await rpc.submitEvents(
        { events: events.slice(i, i + 90) },
        {
          headers: bearer(token),
          onHeader: (h) => {
            const [a = 0, r = 0] = counts(h);
            accepted.events += a;
            rejected.events += r;
          },
        },
      );
    }
    await deliver(recording.bodies);

    for (const request of await hourOfUsageReports(hour)) {
      await client(UsageService).submitUsageReports(request, {
        headers: bearer(token),
        onHeader: (h) => {
          const [a = 0, r = 0] = counts(h);
          accepted.reports += a;
          rejected.reports += r;
        },
      });
    }
    await computeBilling(env.DB, Date.now(), 3);
  });

  it("refuses nothing Teleport sends", () => {
    expect(accepted).toEqual({ events: 360, reports: 15 });
    expect(rejected).toEqual({ events: 0, reports: 0 });
  });

  it("counts every kind of event exactly once per event sent", async () => {
    const { results } = await env.DB.prepare(
      "SELECT event, SUM(count) AS n FROM daily_event_counts WHERE app = 'teleport-cluster' GROUP BY event",
    ).all<{ event: string; n: number }>();
    const expected = new Map<string, number>();
    for (const field of TELEPORT_CASES) {
      const name = CLUSTER_EVENT_NAMES[field.localName as ClusterCase];
      expected.set(name, (expected.get(name) ?? 0) + 3);
    }
    expect(Object.fromEntries(results.map((r) => [r.event, r.n]))).toEqual(Object.fromEntries(expected));
    expect(results.reduce((n, r) => n + r.n, 0)).toBe(360);
    expect(expected.get("tp.session.start")).toBe(6);
  });

  it("counts the fields it never stores under their names on the drops page, and stores none of their text", async () => {
    const { results } = await env.DB.prepare(
      `SELECT event, property, SUM(count) AS n FROM daily_dropped_properties
       WHERE app = 'teleport-cluster' AND property = 'status_error' GROUP BY event, property`,
    ).all<{ event: string; n: number }>();
    // Every Discover and Access List wizard step carries a status with an error text.
    expect(results.map((r) => r.event).sort()).toContain("tp.ui.discover.testConnection");
    expect(results.every((r) => r.n === 3)).toBe(true);
    // In D1 and in the raw-event archive alike.
    const leaked = (await allStoredStrings()).filter(
      (s) => s.value.includes("10.20.30.40") || s.value.includes("alice@example.com"),
    );
    expect(leaked).toEqual([]);
  });

  it("bills the hour exactly: MAU by origin, TPR, MWI and Identity Security", async () => {
    const row = await env.DB.prepare(
      "SELECT * FROM billing_usage WHERE tenant_id = ?1 AND period_start <= ?2 AND period_end >= ?2",
    )
      .bind(tenantId, day)
      .first<Record<string, unknown>>();
    expect(row).toMatchObject({
      mau: 32,
      tpr: 30, // 20 nodes, 5 databases, 3 EICE nodes, 2 Linux desktops in the one reported hour
      mwi: 7, // bot-ci, instances i0-i3, SPIFFE IDs svc-a and svc-b
      summaries_generated: 12,
      summary_input_tokens: 6000,
      summary_output_tokens: 600,
      graph_identities: 200, // aws 120 (the larger of 120 and 118) + okta 80
      graph_resources: 410,
      audit_logs_ingested: 10_500,
    });
    expect(JSON.parse(row?.mau_by_origin as string)).toEqual({ local: 15, sso: 10, okta: 3, unspecified: 4 });
    expect(JSON.parse(row?.identity_security_by_provider as string)).toEqual({
      aws: { identities: 120, resources: 400, logs_ingested: 0 },
      okta: { identities: 80, resources: 10, logs_ingested: 0 },
      cloudtrail: { identities: 0, resources: 0, logs_ingested: 9000 },
      teleport: { identities: 0, resources: 0, logs_ingested: 1500 },
    });
    // The detail endpoint explains the same figures.
    const detail = await operatorGet<{ total: Record<string, unknown> }>(
      `/v1/billing/usage/detail?tenant=${tenantId}&month=${row?.month as string}`,
    );
    expect(detail.total).toMatchObject({ mau: 32, mau_by_origin: { local: 15, sso: 10, okta: 3, unspecified: 4 } });
    expect(detail.total.identity_security).toMatchObject({ summaries_generated: 12, graph_identities: 200 });
  });
});
