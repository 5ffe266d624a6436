import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { setContract } from "../../src/billing/contracts";
import { flagSilences, readReporting } from "../../src/billing/reporting";
import { HOUR_MS } from "../../src/lib/time";
import { createTenant } from "../../src/tenants/admin";
import { at, report } from "../helpers/bill-co";
import { countRows, operatorGet, rows } from "../helpers/harness";
import { resourcePresenceReport, userActivityReport } from "../helpers/reports";
import { digestOf } from "../helpers/tenants";

/**
 * Silent reporters: the last reported hour per cluster and kind, a silence after
 * REPORTING_SILENCE_HOURS (24 here) for a tenant that must report, the hourly job's flag and
 * webhook once per silence, cleared once when reports resume; the tenant itself silent when
 * none of its clusters reports, counted from when reporting became required.
 */

const HOURS = 24;
let tenantId: string;
let a: string;
let b: string;

async function events(type: string) {
  const results = await rows<{ subject: string; payload: string }>(
    "SELECT subject, payload FROM billing_events WHERE tenant_id = ?1 AND type = ?2 ORDER BY created_at",
    tenantId,
    type,
  );
  return results.map((row) => JSON.parse(row.payload).data as Record<string, unknown>);
}

async function onB(body: Promise<Record<string, unknown>>) {
  return { ...(await body), cluster_name: b, reporter_hostid: await digestOf("auth-b") };
}

beforeAll(async () => {
  [a, b] = await Promise.all([digestOf("cluster-a"), digestOf("cluster-b")]);
  tenantId = (await createTenant(env.DB, { name: "quiet-co", now: at("2026-03-01T00:00:00Z") })).id;
  await createTenant(env.DB, { name: "relaxed-co", now: at("2026-03-01T00:00:00Z") });
  await setContract(env.DB, tenantId, { plan: "cloud", reporting_required: true }, at("2026-03-02T00:00:00Z"));
});

describe("silent reporters", () => {
  it("counts a tenant that never reported as silent from when reporting became required", async () => {
    const before = await readReporting(env.DB, at("2026-03-03T00:00:00Z"), HOURS);
    expect(before.map((t) => [t.tenant_name, t.silent])).toEqual([["quiet-co", false]]);
    const after = await readReporting(env.DB, at("2026-03-03T01:00:01Z"), HOURS);
    expect(after.map((t) => [t.tenant_name, t.silent, t.clusters.length])).toEqual([["quiet-co", true, 0]]);
  });

  it("lists each cluster's last reported hour per kind", async () => {
    await report(
      tenantId,
      at("2026-03-04T12:00:00Z"),
      await userActivityReport({ start: "2026-03-04T09:15:00Z", users: ["u1"] }),
      await resourcePresenceReport({ start: "2026-03-04T11:00:00Z", nodes: ["n1"] }),
      await onB(userActivityReport({ start: "2026-03-04T10:30:00Z", users: ["u2"] })),
    );
    const [tenant] = await readReporting(env.DB, at("2026-03-04T12:00:00Z"), HOURS);
    expect(tenant?.silent).toBe(false);
    expect(tenant?.clusters.map((c) => [c.cluster_name, c.kinds, c.silent]).sort()).toEqual(
      [
        [a, { user_activity: at("2026-03-04T09:00:00Z"), resource_presence: at("2026-03-04T11:00:00Z") }, false],
        [b, { user_activity: at("2026-03-04T10:00:00Z") }, false],
      ].sort(),
    );
  });

  it("flags a cluster whose last hour ended more than the allowed hours ago, once, and sends reporting.silent once", async () => {
    // B's last hour (10:00-11:00 on 03-04) ended 24 h before 03-05 11:00.
    expect(await flagSilences(env.DB, at("2026-03-05T11:00:00Z"), HOURS)).toEqual({ silent: 0, resumed: 0 });
    await report(
      tenantId,
      at("2026-03-05T11:30:00Z"),
      await userActivityReport({ start: "2026-03-05T11:00:00Z", users: ["u1"] }),
    );
    expect(await flagSilences(env.DB, at("2026-03-05T11:00:01Z"), HOURS)).toEqual({ silent: 1, resumed: 0 });
    expect(await flagSilences(env.DB, at("2026-03-05T18:00:00Z"), HOURS)).toEqual({ silent: 0, resumed: 0 });
    expect(await events("reporting.silent")).toEqual([
      { tenant_id: tenantId, cluster_name: b, last_report_at: "2026-03-04T10:00:00.000Z", silence_hours: HOURS },
    ]);
    const body = await operatorGet<{
      silence_hours: number;
      tenants: { clusters: { cluster_name: string; silent: boolean; flagged_at: string | null }[] }[];
    }>("/v1/billing/reporting");
    expect(body.silence_hours).toBe(24);
    // The API judges at its own clock (now, long after): every cluster of quiet-co is silent; B was flagged.
    expect(body.tenants[0]?.clusters.find((c) => c.cluster_name === b)).toMatchObject({ silent: true });
    expect(body.tenants[0]?.clusters.find((c) => c.cluster_name === b)?.flagged_at).toBe("2026-03-05T11:00:01.000Z");
  });

  it("is not fooled by an old report sent again: only a new window clears the silence", async () => {
    await report(
      tenantId,
      at("2026-03-06T00:00:00Z"),
      await onB(userActivityReport({ start: "2026-03-03T10:00:00Z", users: ["u2"] })),
    );
    expect(await flagSilences(env.DB, at("2026-03-06T00:00:00Z"), HOURS)).toEqual({ silent: 0, resumed: 0 });
  });

  it("clears the silence when the cluster reports again, with reporting.resumed once", async () => {
    await report(
      tenantId,
      at("2026-03-06T09:00:00Z"),
      await onB(userActivityReport({ start: "2026-03-06T08:45:00Z", users: ["u2"] })),
    );
    expect(await flagSilences(env.DB, at("2026-03-06T09:00:00Z"), HOURS)).toEqual({ silent: 0, resumed: 1 });
    expect(await flagSilences(env.DB, at("2026-03-06T10:00:00Z"), HOURS)).toEqual({ silent: 0, resumed: 0 });
    expect(await events("reporting.resumed")).toEqual([
      {
        tenant_id: tenantId,
        cluster_name: b,
        silent_after: "2026-03-04T10:00:00.000Z",
        last_report_at: "2026-03-06T08:00:00.000Z",
      },
    ]);
  });

  it("flags the tenant as a whole when none of its clusters reports, and a second silence of a cluster anew", async () => {
    const flagged = await flagSilences(env.DB, at("2026-03-08T12:00:00Z"), HOURS);
    expect(flagged).toEqual({ silent: 3, resumed: 0 }); // the tenant, A and B
    const silent = await events("reporting.silent");
    expect(silent[0]?.cluster_name).toBe(b);
    const second = silent.slice(1);
    expect(second.map((e) => String(e.cluster_name)).sort()).toEqual([a, b, "null"].sort());
    expect(second.find((e) => e.cluster_name === b)?.last_report_at).toBe("2026-03-06T08:00:00.000Z");
    expect(second.find((e) => e.cluster_name === null)?.last_report_at).toBe("2026-03-06T08:00:00.000Z");
  });

  it("never flags a tenant whose contract does not require reporting, and drops a flag silently when the requirement ends", async () => {
    const relaxed = await readReporting(env.DB, at("2027-01-01T00:00:00Z"), HOURS);
    expect(relaxed.map((t) => t.tenant_name)).toEqual(["quiet-co"]);
    await setContract(env.DB, tenantId, { plan: "cloud", reporting_required: false }, at("2026-03-09T00:00:00Z"));
    expect(await flagSilences(env.DB, at("2026-03-09T01:00:00Z"), HOURS)).toEqual({ silent: 0, resumed: 0 });
    expect(await countRows("reporting_silences", "1")).toBe(0);
    const [one] = await readReporting(env.DB, at("2027-01-01T00:00:00Z"), HOURS, tenantId);
    expect(one).toMatchObject({ reporting_required: false, silent: false });
    expect(one?.clusters.every((c) => !c.silent)).toBe(true);
    expect(at("2026-03-09T01:00:00Z") - HOUR_MS).toBeGreaterThan(0);
  });
});
