import { execFile } from "node:child_process";
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import { promisify } from "node:util";
import { gzipSync } from "node:zlib";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningCollector, startCollector } from "./wrangler-dev";

const digest = () => randomBytes(32).toString("base64");

/** `npm run tenant -- <args>` against the collector, as an operator runs it. */
async function tenantScript(collector: RunningCollector, ...args: string[]): Promise<string[]> {
  const { stdout } = await promisify(execFile)(
    process.execPath,
    ["scripts/tenant.mjs", ...args, "--url", collector.url],
    {
      env: { ...process.env, EDGEHOG_ADMIN_TOKEN: collector.adminToken },
    },
  );
  return stdout.trim().split("\n");
}

function hundredEvents(day: string) {
  const installs = Array.from({ length: 20 }, () => randomUUID());
  return Array.from({ length: 100 }, (_, i) => ({
    uuid: randomUUID(),
    event: i % 5 === 0 ? "connect.cluster.login" : "connect.protocol.use",
    distinct_id: installs[i % 20],
    timestamp: `${day}T12:${String(i % 60).padStart(2, "0")}:00Z`,
    properties:
      i % 5 === 0
        ? { cluster_name: digest(), user_name: digest(), connector_type: "saml", app_version: "17.0.1", os: "linux" }
        : { cluster_name: digest(), user_name: digest(), protocol: "db", app_version: "17.0.1", os: "darwin" },
  }));
}

describe("the collector under wrangler dev, over real HTTP", () => {
  let collector: RunningCollector;
  beforeAll(async () => {
    collector = await startCollector();
  });
  afterAll(async () => {
    await collector?.stop();
  });

  it("answers /healthz and publishes the catalogue", async () => {
    expect((await fetch(`${collector.url}/healthz`)).status).toBe(200);
    const catalogue = (await (await fetch(`${collector.url}/v1/catalog`)).json()) as { apps: { name: string }[] };
    expect(catalogue.apps.map((a) => a.name)).toContain("teleport-connect");
  });

  it("takes a gzipped 100-event batch and shows it in the stats once the queue has drained", async () => {
    const day = new Date(Date.now() - 2 * 86_400_000).toISOString().slice(0, 10); // within the raw retention
    const body = gzipSync(JSON.stringify({ app: "teleport-connect", events: hundredEvents(day) }));
    const res = await fetch(`${collector.url}/v1/events`, {
      method: "POST",
      headers: { "content-type": "application/json", "content-encoding": "gzip" },
      body,
    });
    expect(res.status).toBe(202);
    expect(await res.json()).toEqual({
      accepted: 100,
      duplicates: 0,
      rejected: [],
      dropped_properties: {},
      reduced_properties: {},
    });

    const deadline = Date.now() + 20_000;
    let stats: { days: { events: Record<string, number>; active_installs: number }[]; active_installs: number };
    for (;;) {
      const r = await fetch(`${collector.url}/v1/stats/events?app=teleport-connect&from=${day}&to=${day}`, {
        headers: { authorization: `Bearer ${collector.adminToken}` },
      });
      stats = (await r.json()) as typeof stats;
      if (stats.days[0] && Object.keys(stats.days[0].events).length > 0) break;
      if (Date.now() > deadline) throw new Error("the queue did not drain in 20 s");
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    expect(stats.days[0]?.events).toEqual({ "connect.cluster.login": 20, "connect.protocol.use": 80 });
    expect(stats.days[0]?.active_installs).toBe(20);
    expect(stats.active_installs).toBe(20);
  });

  it("answers bad input with a JSON 4xx", async () => {
    const res = await fetch(`${collector.url}/v1/events`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: "{ nope",
    });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: "invalid_json" });
  });

  it("administers tenants with npm run tenant over the operator API", async () => {
    expect((await tenantScript(collector, "create", "e2e-co"))[0]).toMatch(
      /^created tenant e2e-co \(tn_[0-9a-f]{20}, plan standard\)$/,
    );
    const token = (await tenantScript(collector, "token", "e2e-co")).at(-1) ?? "";
    expect(token).toMatch(/^ehk_[A-Za-z0-9_-]{43}$/);

    const mac = (value: string) => createHmac("sha256", "e2e-cluster").update(value).digest("base64");
    const report = {
      kind: "user_activity",
      report_uuid: randomUUID(),
      cluster_name: mac("cluster"),
      reporter_hostid: mac("auth-1"),
      start_time: new Date().toISOString(),
      records: [{ user_name: mac("alice"), user_kind: "human", logins: 1 }],
    };
    const post = () =>
      fetch(`${collector.url}/v1/usage`, {
        method: "POST",
        headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
        body: JSON.stringify({ reports: [report] }),
      });
    expect((await post()).status).toBe(202);

    const listing = await tenantScript(collector, "list");
    expect(listing.some((line) => line.startsWith("e2e-co  tn_"))).toBe(true);
    expect(listing.some((line) => line.includes(`${token.slice(0, 12)}…  active`))).toBe(true);
    expect((await tenantScript(collector, "revoke", token.slice(0, 12)))[0]).toMatch(/^revoked token tok_/);
    await expect(tenantScript(collector, "create", "e2e-co")).rejects.toMatchObject({
      stderr: expect.stringMatching(/exists already/),
    });
  });

  it("sets and changes a subscription term with npm run tenant, and bills the anchored period", async () => {
    // A term starting today: the current period starts today, whatever the day of the month.
    const today = new Date().toISOString().slice(0, 10);
    const created = await tenantScript(collector, "create", "e2e-term", "--term-start", today, "--term-months", "6");
    expect(created[1]).toBe(`term from ${today}, 6 months, renewing`);
    const changed = await tenantScript(collector, "term", "e2e-term", "--months", "24");
    expect(changed[0]).toBe(`tenant e2e-term: term from ${today}, 24 months, renewing`);
    expect(changed[2]).toMatch(new RegExp(`^current period ${today.slice(0, 7)}: ${today} to \\d{4}-\\d{2}-\\d{2}$`));
    await expect(tenantScript(collector, "term", "e2e-term", "--start", "2026-02-30")).rejects.toMatchObject({
      stderr: expect.stringMatching(/invalid_term/),
    });
    expect((await tenantScript(collector, "list")).some((line) => line.includes(`term ${today} +24m`))).toBe(true);

    const token = (await tenantScript(collector, "token", "e2e-term")).at(-1) ?? "";
    const mac = (value: string) => createHmac("sha256", "e2e-term-cluster").update(value).digest("base64");
    const usage = await fetch(`${collector.url}/v1/usage`, {
      method: "POST",
      headers: { "content-type": "application/json", authorization: `Bearer ${token}` },
      body: JSON.stringify({
        reports: [
          {
            kind: "user_activity",
            report_uuid: randomUUID(),
            cluster_name: mac("cluster"),
            reporter_hostid: mac("auth-1"),
            start_time: new Date().toISOString(),
            records: [
              { user_name: mac("alice"), user_kind: "human", logins: 1 },
              { user_name: mac("ci"), user_kind: "bot", certificates_issued: 1 },
            ],
          },
        ],
      }),
    });
    expect(usage.status).toBe(202);
    expect((await fetch(`${collector.url}/cdn-cgi/handler/scheduled?cron=17+*+*+*+*`)).status).toBe(200);
    const admin = { authorization: `Bearer ${collector.adminToken}` };
    const month = today.slice(0, 7);
    const billed = (await (
      await fetch(`${collector.url}/v1/billing/usage?month=${month}&tenant=e2e-term`, { headers: admin })
    ).json()) as { rows: Record<string, unknown>[] };
    expect(billed.rows[0]).toMatchObject({ period_start: today, term_start: today, mau: 1, mwi: 1, final: false });
    const detail = (await (
      await fetch(`${collector.url}/v1/billing/usage/detail?month=${month}&tenant=e2e-term`, { headers: admin })
    ).json()) as { total: { mau_days: unknown[]; mwi_days: unknown[] } };
    expect(detail.total.mau_days).toEqual([{ day: today, users: 1, cumulative: 1 }]);
    expect(detail.total.mwi_days).toHaveLength(1);
  });

  it("runs the cron on demand (/cdn-cgi/handler/scheduled)", async () => {
    const res = await fetch(`${collector.url}/cdn-cgi/handler/scheduled?cron=17+*+*+*+*`);
    expect(res.status).toBe(200);
  });
});
