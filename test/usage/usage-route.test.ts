import { env } from "cloudflare:workers";
import { beforeAll, beforeEach, describe, expect, it } from "vitest";
import { createTenant, issueToken } from "../../src/tenants/admin";
import { revokeToken, setTenantDisabled } from "../../src/tenants/store";
import { forgetCachedTokens } from "../../src/tenants/verify";
import { aggregatesOf } from "../helpers/aggregates";
import { bearer, compress, countRows, postUsage } from "../helpers/harness";
import { botInstanceReport, resourcePresenceReport, userActivityReport } from "../helpers/reports";
import { digestOf, tenantWithToken } from "../helpers/tenants";

const NOW = new Date().toISOString();

let token: string;

beforeAll(async () => {
  const { issued } = await tenantWithToken("usage-co");
  token = issued.token;
});
beforeEach(() => forgetCachedTokens());

describe("POST /v1/usage: authentication", () => {
  it("answers 401 with WWW-Authenticate without a token", async () => {
    const res = await postUsage({ reports: [] });
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer /);
    expect(await res.json()).toMatchObject({ error: "unauthorized" });
  });

  it("answers 401 for an invalid token", async () => {
    for (const bad of [`ehk_${"B".repeat(43)}`, "nonsense", "ehk_short"]) {
      const res = await postUsage({ reports: [] }, bearer(bad));
      expect(res.status).toBe(401);
      expect(await res.json()).toMatchObject({ error: "unauthorized" });
    }
  });

  it("answers 401 for a revoked token", async () => {
    const tenant = await createTenant(env.DB, { name: "revoked-co", now: Date.now() });
    const issued = await issueToken(env.DB, tenant.id, { now: Date.now() });
    await revokeToken(env.DB, issued.id, Date.now());
    const res = await postUsage({ reports: [] }, bearer(issued.token));
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: "unauthorized", message: expect.stringMatching(/revoked/) });
  });

  it("answers 401 for an expired token", async () => {
    const tenant = await createTenant(env.DB, { name: "expired-co", now: Date.now() });
    const issued = await issueToken(env.DB, tenant.id, { now: Date.now(), expiresAt: Date.now() - 1 });
    const res = await postUsage({ reports: [] }, bearer(issued.token));
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: "unauthorized", message: expect.stringMatching(/expired/) });
  });

  it("answers 403 for a disabled tenant", async () => {
    const { tenant, issued } = await tenantWithToken("off-co");
    await setTenantDisabled(env.DB, tenant.id, true);
    const res = await postUsage(
      { reports: [await userActivityReport({ start: NOW, users: ["a"] })] },
      bearer(issued.token),
    );
    expect(res.status).toBe(403);
    expect(await res.json()).toMatchObject({ error: "tenant_disabled" });
  });
});

describe("POST /v1/usage: validation", () => {
  it("answers 400 for a body without reports", async () => {
    for (const body of [{}, { reports: [] }, { reports: "x" }, []]) {
      const res = await postUsage(body, bearer(token));
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ error: "invalid_body" });
    }
  });

  it("answers 413 for more than 10 reports", async () => {
    const report = await userActivityReport({ start: NOW, users: ["a"] });
    const res = await postUsage({ reports: Array.from({ length: 11 }, () => report) }, bearer(token));
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: "too_many_reports" });
  });

  it("rejects a report with a plain user name as not_anonymized, naming the field", async () => {
    const good = await userActivityReport({ start: NOW, users: ["alice"] });
    const plain = await userActivityReport({ start: NOW, users: ["alice"] });
    (plain.records as { user_name: string }[])[0] = { user_name: "alice@example.com" };
    const res = await postUsage({ reports: [good, plain] }, bearer(token));
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({
      accepted: 1,
      duplicates: 0,
      rejected: [
        {
          index: 1,
          report_uuid: plain.report_uuid,
          error: "not_anonymized",
          field: "records.0.user_name",
          message: expect.stringMatching(/digest/),
        },
      ],
    });
  });

  it("checks every name and id: cluster, host, resource ids, bot ids", async () => {
    const cases: [Record<string, unknown>, string][] = [
      [
        { ...(await userActivityReport({ start: NOW, users: ["a"] })), cluster_name: "prod.example.com" },
        "cluster_name",
      ],
      [{ ...(await userActivityReport({ start: NOW, users: ["a"] })), reporter_hostid: "host-1" }, "reporter_hostid"],
      [
        {
          ...(await resourcePresenceReport({ start: NOW, nodes: ["n1"] })),
          resources: [{ kind: "node", ids: ["10.0.0.1"] }],
        },
        "resources.0.ids.0",
      ],
      [
        {
          ...(await botInstanceReport({ start: NOW, instances: ["i1"] })),
          records: [{ bot_instance_id: await digestOf("i1"), bot_user_name: "bot-ci", bot_joins: 1 }],
        },
        "records.0.bot_user_name",
      ],
    ];
    for (const [report, field] of cases) {
      const res = await postUsage({ reports: [report] }, bearer(token));
      expect(res.status).toBe(400);
      const body = await res.json<{ rejected: { error: string; field: string }[] }>();
      expect(body.rejected[0]).toMatchObject({ error: "not_anonymized", field });
    }
  });

  it("rejects a window longer than its kind allows", async () => {
    const startMs = Date.now() - 30 * 60_000;
    const start = new Date(startMs).toISOString();
    const tooLong = await userActivityReport({
      start,
      end: new Date(startMs + 16 * 60_000).toISOString(),
      users: ["a"],
    });
    const hourOk = await resourcePresenceReport({ start, nodes: ["n1"] });
    const res = await postUsage(
      { reports: [tooLong, { ...hourOk, end_time: new Date(startMs + 60 * 60_000).toISOString() }] },
      bearer(token),
    );
    expect(res.status).toBe(202);
    const body = await res.json<{ accepted: number; rejected: unknown[] }>();
    expect(body.accepted).toBe(1);
    expect(body.rejected).toEqual([expect.objectContaining({ index: 0, error: "window_too_long", field: "end_time" })]);
  });

  it("rejects invalid shapes per report with invalid_report", async () => {
    const negative = await userActivityReport({ start: NOW, users: ["a"] });
    (negative.records as Record<string, unknown>[])[0] = { user_name: await digestOf("a"), logins: -1 };
    const res = await postUsage(
      { reports: [negative, { kind: "unknown_kind" }, "text", { ...negative, report_uuid: "nope" }] },
      bearer(token),
    );
    expect(res.status).toBe(400);
    const body = await res.json<{ accepted: number; rejected: { index: number; error: string; field?: string }[] }>();
    expect(body.accepted).toBe(0);
    expect(body.rejected.map((r) => [r.index, r.error, r.field])).toEqual([
      [0, "invalid_report", "records.0.logins"],
      [1, "invalid_report", "kind"],
      [2, "invalid_report", undefined],
      [3, "invalid_uuid", "report_uuid"],
    ]);
  });

  it("answers 413 for a body over the size cap", async () => {
    const res = await postUsage(`{"reports":[${"0,".repeat(600_000)}0]}`, bearer(token));
    expect(res.status).toBe(413);
  });
});

describe("POST /v1/usage: storage", () => {
  it("stores reports and their aggregates, and a resend is a duplicate that changes nothing", async () => {
    const { tenant, issued } = await tenantWithToken("resend-co");
    const reports = [
      await userActivityReport({ start: NOW, users: ["alice", "bob"] }),
      await resourcePresenceReport({ start: NOW, nodes: ["n1", "n2", "n3"] }),
      await botInstanceReport({ start: NOW, instances: ["i1"] }),
    ];
    const first = await postUsage({ reports }, bearer(issued.token));
    expect(first.status).toBe(202);
    expect(await first.json()).toEqual({ accepted: 3, duplicates: 0, rejected: [] });

    const snapshot = async () => ({
      reports: await countRows("usage_reports", "tenant_id = ?1", tenant.id),
      aggregates: await aggregatesOf(tenant.id),
    });
    const before = await snapshot();
    expect(before.reports).toBe(3);
    const hourBit = 2 ** new Date(NOW).getUTCHours();
    expect(before.aggregates.hours.map((row) => [row.kind, row.hours])).toEqual([
      ["bot_instance_activity", hourBit],
      ["resource_presence", hourBit],
      ["user_activity", hourBit],
    ]);
    expect(before.aggregates.users).toHaveLength(2);
    expect(before.aggregates.resources).toHaveLength(3);
    // The bot instance and its bot.
    expect(before.aggregates.workloads.map((row) => row.kind)).toEqual(["bot", "bot_instance"]);

    const resend = await postUsage({ reports: [reports[0]] }, bearer(issued.token));
    expect(resend.status).toBe(202);
    expect(await resend.json()).toEqual({ accepted: 0, duplicates: 1, rejected: [] });
    expect(await snapshot()).toEqual(before);
  });

  it("counts a uuid repeated within one request once", async () => {
    const report = await userActivityReport({ start: NOW, users: ["carol"] });
    const res = await postUsage({ reports: [report, report] }, bearer(token));
    expect(await res.json()).toEqual({ accepted: 1, duplicates: 1, rejected: [] });
  });

  it("keeps report uuids per tenant: another tenant's same uuid is its own report", async () => {
    const report = await userActivityReport({ start: NOW, users: ["dave"] });
    const { issued } = await tenantWithToken("other-co");
    expect(await (await postUsage({ reports: [report] }, bearer(token))).json()).toMatchObject({ accepted: 1 });
    expect(await (await postUsage({ reports: [report] }, bearer(issued.token))).json()).toMatchObject({ accepted: 1 });
  });

  it("does not count users whose counters are all zero", async () => {
    const { tenant, issued } = await tenantWithToken("idle-co");
    const report = await userActivityReport({ start: NOW, users: ["idle"] });
    (report.records as Record<string, unknown>[])[0] = { user_name: await digestOf("idle"), user_kind: "human" };
    expect((await postUsage({ reports: [report] }, bearer(issued.token))).status).toBe(202);
    expect(await countRows("tenant_daily_users", "tenant_id = ?1", tenant.id)).toBe(0);
    expect(await countRows("usage_reports", "tenant_id = ?1", tenant.id)).toBe(1);
  });

  it("accepts gzip bodies", async () => {
    const body = JSON.stringify({ reports: [await userActivityReport({ start: NOW, users: ["erin"] })] });
    const res = await postUsage(await compress(body), { "content-encoding": "gzip", ...bearer(token) });
    expect(res.status).toBe(202);
  });
});
