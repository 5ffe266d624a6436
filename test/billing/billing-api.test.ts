import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { computeBilling } from "../../src/billing/compute";
import { at, report, seedBillCo } from "../helpers/bill-co";
import { get, operator } from "../helpers/harness";
import { userActivityReport } from "../helpers/reports";

/**
 * The billing API over bill-co (test/helpers/bill-co.ts): April made final on 05-04 with erin's
 * report of 04-29 (MAU 3, MWI 1.25), a late report for April on 05-10, May final on 06-04.
 */

let tenantId: string;

beforeAll(async () => {
  tenantId = await seedBillCo();
  const erin = await userActivityReport({ start: "2026-04-29T23:45:00Z", users: ["erin"] });
  await report(tenantId, at("2026-05-03T00:00:00Z"), erin);
  await computeBilling(env.DB, at("2026-05-04T00:00:00Z"), 3);
  const frank = await userActivityReport({ start: "2026-04-30T10:00:00Z", users: ["frank"] });
  await report(tenantId, at("2026-05-10T00:00:00Z"), frank);
  await computeBilling(env.DB, at("2026-06-04T00:00:00Z"), 3);
});

describe("GET /v1/billing/usage", () => {
  it("requires the operator token", async () => {
    const res = await get("/v1/billing/usage?month=2026-04");
    expect(res.status).toBe(401);
  });

  it("answers the period's rows as JSON, filtered by tenant name or id", async () => {
    for (const tenant of ["bill-co", tenantId]) {
      const res = await get(`/v1/billing/usage?month=2026-04&tenant=${tenant}`, {
        headers: operator(),
      });
      expect(res.status).toBe(200);
      expect(await res.json()).toEqual({
        month: "2026-04",
        rows: [
          {
            tenant_id: tenantId,
            tenant_name: "bill-co",
            period_start: "2026-04-01",
            period_end: "2026-04-30",
            mau: 3,
            tpr: 2,
            mwi: 1.25,
            mau_high_water: 3,
            tpr_high_water: 2,
            mwi_high_water: 1.25,
            term_start: "2026-04-01",
            term_end: "2026-05-31",
            late_reports: 1,
            formula_version: 2,
            final: true,
            computed_at: "2026-05-04T00:00:00.000Z",
            // bill-co's users came from reports that did not say their origin.
            mau_by_origin: { unspecified: 3 },
            summaries_generated: 0,
            summary_input_tokens: 0,
            summary_output_tokens: 0,
            graph_identities: 0,
            graph_resources: 0,
            audit_logs_ingested: 0,
            identity_security_by_provider: {},
          },
        ],
      });
    }
  });

  it("answers CSV with the same columns, period dates included, for Accept: text/csv", async () => {
    const res = await get("/v1/billing/usage?month=2026-05", {
      headers: { ...operator(), accept: "text/csv" },
    });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(await res.text()).toBe(
      "tenant_id,tenant_name,period_start,period_end,mau,tpr,mwi,mau_high_water,tpr_high_water,mwi_high_water," +
        "term_start,term_end,late_reports,formula_version,final,computed_at,mau_by_origin,summaries_generated," +
        "summary_input_tokens,summary_output_tokens,graph_identities,graph_resources,audit_logs_ingested," +
        "identity_security_by_provider\r\n" +
        `${tenantId},bill-co,2026-05-01,2026-05-31,1,5,2,3,5,2,2026-04-01,2026-05-31,0,2,true,2026-06-04T00:00:00.000Z,` +
        `"{""unspecified"":1}",0,0,0,0,0,0,{}\r\n`,
    );
  });

  it("answers 400 for a bad month and 404 for an unknown tenant", async () => {
    const bad = await get("/v1/billing/usage?month=2026-13", { headers: operator() });
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: "invalid_query" });
    const unknown = await get("/v1/billing/usage?month=2026-04&tenant=nobody", {
      headers: operator(),
    });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: "unknown_tenant" });
  });

  it("explains a period the cron has not computed from the current term, and refuses a bad query", async () => {
    const res = await get("/v1/billing/usage/detail?tenant=bill-co&month=2027-01", {
      headers: operator(),
    });
    expect(await res.json()).toMatchObject({
      period_start: "2027-01-01",
      period_end: "2027-01-31",
      term_start: "2026-12-01",
      term_end: "2027-01-31",
      stored: null,
      late_reports: 0,
      total: { mau: 0, tpr: 0, mwi: 0, mau_days: [], tpr_days: [], mwi_days: [] },
      clusters: [],
    });
    for (const [query, status, error] of [
      ["month=2026-04", 400, "invalid_query"],
      ["tenant=bill-co&month=April", 400, "invalid_query"],
      ["tenant=nobody&month=2026-04", 404, "unknown_tenant"],
    ] as const) {
      const bad = await get(`/v1/billing/usage/detail?${query}`, {
        headers: operator(),
      });
      expect(bad.status, query).toBe(status);
      expect(await bad.json()).toMatchObject({ error });
    }
    const anonymous = await get("/v1/billing/usage/detail?tenant=bill-co&month=2026-04");
    expect(anonymous.status).toBe(401);
  });

  it("answers an empty list for a month without figures", async () => {
    const res = await get("/v1/billing/usage?month=2020-01", { headers: operator() });
    expect(await res.json()).toEqual({ month: "2020-01", rows: [] });
  });
});
