import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { computeBilling } from "../../src/billing/compute";
import { readBillingUsage } from "../../src/billing/queries";
import { at, report, seedBillCo } from "../helpers/bill-co";
import { get, operator, rows as queryRows } from "../helpers/harness";
import { userActivityReport } from "../helpers/reports";

/**
 * The per-tenant export a customer checks against its own clusters
 * (`GET /v1/billing/usage/export`): the figures can be recomputed from its hour and day lines by
 * the documented arithmetic, and its report lines are exactly the reports stored for the
 * period's days, each counted or late.
 */

let tenantId: string;

/** A minimal RFC 4180 reader (our fields never hold a line break). */
function parseCsv(text: string): Record<string, string>[] {
  const lines = text.trimEnd().split("\r\n");
  const split = (line: string) =>
    [...line.matchAll(/("([^"]|"")*"|[^,]*)(,|$)/g)]
      .map((m) => m[1] ?? "")
      .slice(0, -1)
      .map((f) => (f.startsWith('"') ? f.slice(1, -1).replace(/""/g, '"') : f));
  const [header = "", ...rows] = lines;
  const columns = split(header);
  return rows.map((row) => Object.fromEntries(split(row).map((value, i) => [columns[i], value])));
}

/** ⌊100·x + ½⌋ / 100 of the mean of means, the documented rounding. */
const meanOfMeans = (days: number[][]) => {
  const means = days.map((hours) => hours.reduce((a, b) => a + b, 0) / hours.length);
  return means.length === 0 ? 0 : Math.round((means.reduce((a, b) => a + b, 0) / means.length) * 100 + 1e-9) / 100;
};

beforeAll(async () => {
  tenantId = await seedBillCo();
  await computeBilling(env.DB, at("2026-05-04T00:00:00Z"), 3); // April final
  const late = await userActivityReport({ start: "2026-04-25T10:00:00Z", users: ["zed"] });
  expect(await report(tenantId, at("2026-05-05T00:00:00Z"), late)).toMatchObject({ late: 1 });
});

describe("GET /v1/billing/usage/export", () => {
  it("gives figures a customer can recompute from the hours and days, and every report id, counted or late", async () => {
    const res = await get("/v1/billing/usage/export?tenant=bill-co&month=2026-04", { headers: operator() });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/csv/);
    expect(res.headers.get("content-disposition")).toContain('filename="edgehog-usage-bill-co-2026-04.csv"');
    const rows = parseCsv(await res.text());
    const [billed] = await readBillingUsage(env.DB, "2026-04", tenantId);
    const figures = rows.filter((r) => r.record === "figure" && r.scope === "total");
    expect(Object.fromEntries(figures.map((r) => [r.figure, Number(r.value)]))).toEqual({
      mau: billed?.mau,
      tpr: billed?.tpr,
      mwi: billed?.mwi,
    });
    for (const scope of new Set(rows.filter((r) => r.record === "figure").map((r) => r.scope))) {
      const of = (record: string, figure: string) =>
        rows.filter((r) => r.scope === scope && r.record === record && r.figure === figure);
      const byDay = (lines: Record<string, string>[]) => {
        const days = new Map<string, number[]>();
        for (const line of lines) days.set(line.day ?? "", [...(days.get(line.day ?? "") ?? []), Number(line.value)]);
        return [...days.values()];
      };
      const figure = (name: string) => Number(of("figure", name)[0]?.value);
      expect(meanOfMeans(byDay(of("hour", "resources"))), `${scope} tpr`).toBe(figure("tpr"));
      expect(meanOfMeans(byDay(of("hour", "mwi"))), `${scope} mwi`).toBe(figure("mwi"));
      expect(Number(of("day", "cumulative_users").at(-1)?.value ?? 0), `${scope} mau`).toBe(figure("mau"));
      for (const line of of("hour", "mwi")) {
        const parts = ["bots", "bot_instances", "spiffe_ids"].map((f) =>
          Number(
            rows.find(
              (r) =>
                r.scope === scope &&
                r.record === "hour" &&
                r.day === line.day &&
                r.hour === line.hour &&
                r.figure === f,
            )?.value,
          ),
        );
        expect(parts.reduce((a, b) => a + b, 0)).toBe(Number(line.value));
      }
    }
    const results = await queryRows<{ report_uuid: string; late: number }>(
      "SELECT report_uuid, late FROM usage_reports WHERE tenant_id = ?1 AND hour BETWEEN '2026-04-01T00' AND '2026-04-30T23'",
      tenantId,
    );
    const listed = rows.filter((r) => r.record === "report");
    expect(listed.map((r) => [r.report_uuid, r.counted]).sort()).toEqual(
      results.map((r) => [r.report_uuid, r.late === 0 ? "true" : "false"]).sort(),
    );
    expect(listed.filter((r) => r.counted === "false").length).toBe(1);
  });

  it("answers 404 for an unknown tenant and 400 for a bad month", async () => {
    const exportOf = (query: string) => get(`/v1/billing/usage/export?${query}`, { headers: operator() });
    expect((await exportOf("tenant=nobody&month=2026-04")).status).toBe(404);
    const bad = await exportOf("tenant=bill-co&month=2026-4");
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: "invalid_query" });
  });
});
