import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { computeBilling } from "../../src/billing/compute";
import { readBillingUsage } from "../../src/billing/queries";
import { createTenant } from "../../src/tenants/admin";
import type { TenantRow } from "../../src/tenants/store";
import { storeReports } from "../../src/usage/store";
import { validateReports } from "../../src/usage/validate";
import { answerOf, operator, post, rows } from "../helpers/harness";
import { userActivityReport } from "../helpers/reports";

/** Subscription terms: anchored periods, term changes through the operator API, and their limits. */

const at = (iso: string) => Date.parse(iso);
function setTerm(tenant: string, body: unknown) {
  return answerOf(post(`/v1/admin/tenants/${tenant}/term`, body, { headers: operator() }));
}

async function usersOn(tenant: TenantRow, now: number, ...days: [string, string[]][]) {
  const reports = await Promise.all(days.map(([start, users]) => userActivityReport({ start, users })));
  const validated = validateReports({ reports }, now, tenant.created_at);
  expect(validated.rejected).toEqual([]);
  await storeReports(env.DB, tenant.id, validated.accepted, now);
}

const periods = (tenantId: string) =>
  rows(
    "SELECT month, period_start, period_end, mau, mau_high_water, state FROM billing_usage WHERE tenant_id = ?1 ORDER BY month",
    tenantId,
  );

describe("anchored billing periods", () => {
  it("bill the 15th to the 14th for a term starting on the 15th, named by the month they start in", async () => {
    const tenant = await createTenant(env.DB, {
      name: "fifteen-co",
      termStart: "2026-03-15",
      termMonths: 12,
      now: at("2026-03-10T00:00:00Z"),
    });
    await usersOn(
      tenant,
      at("2026-05-16T00:00:00Z"),
      ["2026-04-14T23:45:00Z", ["ann"]],
      ["2026-04-15T00:00:00Z", ["ben"]],
      ["2026-05-14T12:00:00Z", ["cat"]],
      ["2026-05-15T00:00:00Z", ["dan"]],
    );
    await computeBilling(env.DB, at("2026-05-20T00:00:00Z"), 3);
    expect(await periods(tenant.id)).toEqual([
      // The creation day (03-10) is before the term's first day: the period before it, term −1.
      {
        month: "2026-02",
        period_start: "2026-02-15",
        period_end: "2026-03-14",
        mau: 0,
        mau_high_water: 0,
        state: "final",
      },
      {
        month: "2026-03",
        period_start: "2026-03-15",
        period_end: "2026-04-14",
        mau: 1,
        mau_high_water: 1,
        state: "final",
      },
      {
        month: "2026-04",
        period_start: "2026-04-15",
        period_end: "2026-05-14",
        mau: 2,
        mau_high_water: 2,
        state: "final",
      },
      {
        month: "2026-05",
        period_start: "2026-05-15",
        period_end: "2026-06-14",
        mau: 1,
        mau_high_water: 2,
        state: "open",
      },
    ]);
    const [row] = await readBillingUsage(env.DB, "2026-02", tenant.id);
    expect([row?.term_start, row?.term_end]).toEqual(["2025-03-15", "2026-03-14"]);
  });
});

describe("POST /v1/admin/tenants/{tenant}/term", () => {
  it("sets a term at creation, and refuses an invalid one", async () => {
    const create = (body: unknown) => post("/v1/admin/tenants", body, { headers: operator() });
    const created = await create({ name: "termed-co", term_start: "2024-02-29", term_months: 24 });
    expect(created.status).toBe(201);
    expect(await created.json()).toMatchObject({ tenant: { term_start: "2024-02-29", term_months: 24 } });
    for (const bad of [
      { term_start: "2026-02-30" },
      { term_start: "26-01-01" },
      { term_start: "1969-12-31" },
      { term_months: 0 },
      { term_months: 121 },
      { term_months: 1.5 },
    ]) {
      const res = await create({ name: `bad-${crypto.randomUUID().slice(0, 8)}`, ...bad });
      expect(res.status, JSON.stringify(bad)).toBe(400);
      expect(await res.json()).toMatchObject({ error: "invalid_term" });
    }
  });

  it("changes the term of a tenant, and the next run recomputes its open periods on the new anchor", async () => {
    const tenant = await createTenant(env.DB, { name: "moving-co", now: at("2026-04-01T00:00:00Z") });
    expect([tenant.term_start, tenant.term_months]).toEqual(["2026-04-01", 12]);
    await usersOn(
      tenant,
      at("2026-04-20T00:00:00Z"),
      ["2026-04-05T00:00:00Z", ["ann"]],
      ["2026-04-18T00:00:00Z", ["ben"]],
    );
    await computeBilling(env.DB, at("2026-04-20T00:00:00Z"), 3);
    expect((await periods(tenant.id)).map((p) => [p.month, p.mau])).toEqual([["2026-04", 2]]);

    const changed = await setTerm("moving-co", { term_start: "2026-04-10" });
    expect(changed.status).toBe(200);
    expect(changed.body).toMatchObject({
      tenant: { name: "moving-co", term_start: "2026-04-10", term_months: 12 },
    });
    await computeBilling(env.DB, at("2026-04-20T00:00:00Z"), 3);
    // ann (04-05) is now in the period before the term; ben in the term's first.
    expect((await periods(tenant.id)).map((p) => [p.month, p.period_start, p.period_end, p.mau])).toEqual([
      ["2026-03", "2026-03-10", "2026-04-09", 1],
      ["2026-04", "2026-04-10", "2026-05-09", 1],
    ]);
  });

  it("keeps closed periods: a new term must continue from the last one (409 term_conflict otherwise)", async () => {
    const tenant = await createTenant(env.DB, { name: "renew-co", termMonths: 2, now: at("2026-04-01T00:00:00Z") });
    await usersOn(tenant, at("2026-04-20T00:00:00Z"), ["2026-04-05T00:00:00Z", ["ann", "ben", "cat"]]);
    await usersOn(tenant, at("2026-05-20T00:00:00Z"), ["2026-05-05T00:00:00Z", ["ann"]]);
    await computeBilling(env.DB, at("2026-05-20T00:00:00Z"), 3);

    const conflict = await setTerm(tenant.id, { term_start: "2026-05-15" });
    expect(conflict.status).toBe(409);
    expect(conflict.body).toMatchObject({ error: "term_conflict", message: expect.stringMatching(/2026-05-01/) });

    // A renewal on the same anchor day: May starts a new term, whose high-water marks start fresh.
    const renewed = await setTerm(tenant.id, { term_start: "2026-05-01", term_months: 12 });
    expect(renewed.status).toBe(200);
    expect(renewed.body).toMatchObject({ current_term: { start: expect.any(String), end: expect.any(String) } });
    await computeBilling(env.DB, at("2026-05-20T00:00:00Z"), 3);
    expect((await periods(tenant.id)).map((p) => [p.month, p.mau, p.mau_high_water, p.state])).toEqual([
      ["2026-04", 3, 3, "final"],
      ["2026-05", 1, 1, "open"],
    ]);
  });

  it("answers 400 without a term field, 404 for an unknown tenant", async () => {
    expect((await setTerm("renew-co", {})).body).toMatchObject({ error: "invalid_body" });
    expect((await setTerm("nobody-co", { term_months: 3 })).status).toBe(404);
    const unauthorized = await post("/v1/admin/tenants/renew-co/term", { term_months: 3 });
    expect(unauthorized.status).toBe(401);
  });

  it("leaves a tenant whose term breaks from its final periods to the operator, and says so", async () => {
    const tenant = await createTenant(env.DB, { name: "broken-co", now: at("2026-04-01T00:00:00Z") });
    await usersOn(tenant, at("2026-04-20T00:00:00Z"), ["2026-04-05T00:00:00Z", ["ann"]]);
    await computeBilling(env.DB, at("2026-05-05T00:00:00Z"), 3);
    // As if the term were changed behind the API's back.
    await env.DB.prepare("UPDATE tenants SET term_start = '2026-04-20' WHERE id = ?1").bind(tenant.id).run();
    const before = await periods(tenant.id);
    const run = await computeBilling(env.DB, at("2026-05-06T00:00:00Z"), 3);
    expect(run.tenantsSkipped).toEqual([tenant.id]);
    expect(await periods(tenant.id)).toEqual(before);
  });
});
