import { createHmac } from "node:crypto";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createUsageReporter, type UsageReporterOptions } from "../../packages/client/src/reporter";
import { type KeyValueStorage, memoryStorage } from "../../packages/client/src/storage";
import * as collectorSchema from "../../src/usage/schema";
import { validateReports } from "../../src/usage/validate";
import { BOT_COUNTERS, RESOURCE_KINDS, USER_COUNTERS } from "../../src/usage/vocabulary";
import { accept, fakeCollector, type Respond, status, until } from "./helpers";

/**
 * The usage reporter: aggregation windows (users and bots per 15 minutes, resources per hour),
 * digests only, reports the collector's own validator accepts, stable report_uuids, and
 * persistence until acknowledged.
 */

const KEY = "9b0f3c52-5c55-4bd3-a1a4-6f1c2e3d4b5a";
const digest = (value: string) => createHmac("sha256", KEY).update(value, "utf8").digest("base64");
const T0 = Date.parse("2026-05-04T10:05:00Z");
const MINUTE = 60_000;

function reporter(respond?: Respond, options: Partial<UsageReporterOptions> = {}) {
  const collector = fakeCollector(respond);
  const instance = createUsageReporter({
    host: "https://collector.test/",
    token: "ehk_test",
    clusterKey: KEY,
    clusterName: "teleport.example.com",
    hostId: "0f6b1d5e-auth-1",
    storage: memoryStorage(),
    fetch: collector.fetch,
    ...options,
  });
  return { reporter: instance, collector, reports: () => collector.requests.flatMap((r) => r.body.reports ?? []) };
}

beforeEach(() => {
  vi.useFakeTimers({ now: T0 });
});
afterEach(() => {
  vi.useRealTimers();
});

describe("createUsageReporter", () => {
  it("uses the collector's own vocabulary: its schema reads every counter and resource kind", () => {
    const digest = "XfVDznFNiXky/rgF7PgNw9CfHfgEcgW/D+xYfHxHjMM=";
    const header = {
      report_uuid: crypto.randomUUID(),
      cluster_name: digest,
      reporter_hostid: digest,
      start_time: "2026-05-04T10:00:00Z",
    };
    const every = (names: readonly string[]) => Object.fromEntries(names.map((name, i) => [name, i + 1]));
    const parsed = collectorSchema.reportSchema.parse({
      kind: "user_activity",
      ...header,
      records: [{ user_name: digest, ...every(USER_COUNTERS) }],
    });
    expect(parsed).toMatchObject({ records: [every(USER_COUNTERS)] });
    expect(
      collectorSchema.reportSchema.parse({
        kind: "bot_instance_activity",
        ...header,
        records: [{ bot_instance_id: digest, bot_user_name: digest, ...every(BOT_COUNTERS) }],
      }),
    ).toMatchObject({ records: [every(BOT_COUNTERS)] });
    for (const kind of RESOURCE_KINDS) {
      expect(() =>
        collectorSchema.reportSchema.parse({
          kind: "resource_presence",
          ...header,
          resources: [{ kind, ids: [digest] }],
        }),
      ).not.toThrow();
    }
  });

  it("aggregates per user per 15-minute window and per resource per hour, names as digests", async () => {
    const { reporter: r, collector, reports } = reporter();
    for (let i = 0; i < 5; i++) r.resourceHeartbeat("node", "host-a");
    r.resourceHeartbeat("node", "host-b");
    r.resourceHeartbeat("db_server", "postgres-1");
    r.userActivity("alice", { logins: 1 }, "human");
    r.userActivity("alice", { ssh_sessions: 2 });
    r.userActivity("bob", { db_sessions: 1, logins: 0 });
    r.botInstanceActivity("instance-1", "bot-ci", { bot_joins: 1 });
    vi.setSystemTime(T0 + 30 * MINUTE); // 10:35: a second user window, same hour
    r.resourceHeartbeat("node", "host-a");
    r.userActivity("alice", { logins: 1 });
    vi.setSystemTime(T0 + 60 * MINUTE); // 11:05: the 10:00 hour has ended
    expect(await r.flush()).toMatchObject({ sent: 4, rejected: 0, pending: 0 });

    expect(collector.requests[0]?.url).toBe("https://collector.test/v1/usage");
    expect(collector.requests[0]?.headers.authorization).toBe("Bearer ehk_test");
    const header = { cluster_name: digest("teleport.example.com"), reporter_hostid: digest("0f6b1d5e-auth-1") };
    const byStart = (kind: string, start: string) =>
      reports().filter((report) => report.kind === kind && report.start_time === start);
    expect(byStart("user_activity", "2026-05-04T10:00:00.000Z")).toEqual([
      expect.objectContaining({
        ...header,
        records: [
          { user_name: digest("alice"), user_kind: "human", logins: 1, ssh_sessions: 2 },
          { user_name: digest("bob"), user_kind: "unspecified", db_sessions: 1 },
        ],
      }),
    ]);
    expect(byStart("user_activity", "2026-05-04T10:30:00.000Z")).toEqual([
      expect.objectContaining({ records: [{ user_name: digest("alice"), user_kind: "unspecified", logins: 1 }] }),
    ]);
    expect(byStart("resource_presence", "2026-05-04T10:00:00.000Z")).toEqual([
      expect.objectContaining({
        resources: [
          { kind: "node", ids: [digest("host-a"), digest("host-b")] },
          { kind: "db_server", ids: [digest("postgres-1")] },
        ],
      }),
    ]);
    expect(byStart("bot_instance_activity", "2026-05-04T10:00:00.000Z")).toEqual([
      expect.objectContaining({
        records: [{ bot_instance_id: digest("instance-1"), bot_user_name: digest("bot-ci"), bot_joins: 1 }],
      }),
    ]);
    for (const report of reports()) expect(report).not.toHaveProperty("end_time");
    const body = JSON.stringify(collector.requests);
    for (const plain of ["alice", "bob", "host-a", "postgres-1", "teleport.example.com", KEY])
      expect(body).not.toContain(plain);

    const judged = validateReports({ reports: reports() }, Date.now(), 0);
    expect(judged.rejected).toEqual([]);
    expect(judged.accepted).toHaveLength(4);
  });

  it("keeps open windows until they end, then sends them on its own timer", async () => {
    const { reporter: r, collector } = reporter(undefined, { flushIntervalMs: MINUTE });
    r.resourceHeartbeat("node", "host-a");
    expect(await r.flush()).toMatchObject({ sent: 0, pending: 0 });
    await vi.advanceTimersByTimeAsync(50 * MINUTE);
    expect(collector.requests).toHaveLength(0);
    await until(() => collector.requests.length === 1, MINUTE, 10);
  });

  it("resends unacknowledged reports under the same report_uuids, across a restart too", async () => {
    const storage: KeyValueStorage = memoryStorage();
    const down = reporter(() => status(503, { "retry-after": "1" }), { storage, retry: { attempts: 2 } });
    down.reporter.userActivity("alice", { logins: 1 });
    down.reporter.resourceHeartbeat("node", "host-a");
    vi.setSystemTime(T0 + 60 * MINUTE);
    const flushing = down.reporter.flush();
    await until(() => down.collector.requests.length === 2, 500);
    expect(await flushing).toMatchObject({ sent: 0, pending: 2 });
    const uuids = down.reports().map((report) => report.report_uuid);
    expect(uuids.slice(2)).toEqual(uuids.slice(0, 2));

    const up = reporter(undefined, { storage });
    expect(await up.reporter.flush()).toMatchObject({ sent: 2, pending: 0 });
    expect(up.reports().map((report) => report.report_uuid)).toEqual(uuids.slice(0, 2));
    expect(JSON.parse(storage.getItem("edgehog.usage") ?? "{}").reports).toEqual([]);
  });

  it("reports a rejected report and does not send it again", async () => {
    const { reporter: r, collector } = reporter(() =>
      Response.json(
        { accepted: 0, duplicates: 0, rejected: [{ index: 0, error: "invalid_window", message: "too old" }] },
        { status: 400 },
      ),
    );
    r.userActivity("alice", { logins: 1 });
    vi.setSystemTime(T0 + 60 * MINUTE);
    const result = await r.flush();
    expect(result).toMatchObject({ sent: 0, rejected: 1, pending: 0 });
    expect(result.rejections[0]).toMatchObject({
      error: "invalid_window",
      id: collector.requests[0]?.body.reports?.[0]?.report_uuid,
    });
    await r.flush();
    expect(collector.requests).toHaveLength(1);
  });

  it("sends at most 10 reports per request", async () => {
    const { reporter: r, collector } = reporter();
    for (let hour = 0; hour < 25; hour++) {
      vi.setSystemTime(T0 + hour * 60 * MINUTE);
      r.resourceHeartbeat("node", "host-a");
    }
    vi.setSystemTime(T0 + 26 * 60 * MINUTE);
    expect((await r.flush()).sent).toBe(25);
    expect(collector.requests.map((request) => request.body.reports?.length)).toEqual([10, 10, 5]);
  });

  it("on shutdown reports the open windows with end_time now", async () => {
    const { reporter: r, reports } = reporter(accept);
    r.userActivity("alice", { logins: 1 });
    vi.setSystemTime(T0 + 5 * MINUTE);
    expect((await r.shutdown()).sent).toBe(1);
    expect(reports()[0]).toMatchObject({
      start_time: "2026-05-04T10:00:00.000Z",
      end_time: "2026-05-04T10:10:00.000Z",
    });
    expect(validateReports({ reports: reports() }, Date.now(), 0).rejected).toEqual([]);
    r.userActivity("bob", { logins: 1 });
    expect((await r.flush()).sent).toBe(0);
  });
});
