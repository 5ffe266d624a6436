import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { storeReports } from "../../src/usage/store";
import { validateReports } from "../../src/usage/validate";
import { aggregatesOf } from "../helpers/aggregates";
import { botInstanceReport, resourcePresenceReport, userActivityReport } from "../helpers/reports";
import { tenantWithToken } from "../helpers/tenants";

/** The aggregates' bound: rows per tenant and day depend on its identities, not on hours or reports. */

const ALL_HOURS = 2 ** 24 - 1;

describe("folded aggregates", () => {
  it("keep one row per identity and day, with the hours it was seen in, however many reports", async () => {
    const { tenant } = await tenantWithToken("bounded-co");
    const now = Date.parse("2026-06-11T00:30:00Z");
    for (let hour = 0; hour < 24; hour++) {
      const start = `2026-06-10T${String(hour).padStart(2, "0")}:00:00Z`;
      const reports = [
        await userActivityReport({ start, users: ["ann", "ben"] }),
        await resourcePresenceReport({ start, nodes: ["n1", "n2", "n3"] }),
        await botInstanceReport({ start, instances: ["i1", "i2"] }),
      ];
      // Each hour's reports, sent twice (a retry), and once more under new uuids (a reporter
      // that split its window): the rows stay the same.
      const again = reports.map((r) => ({ ...r, report_uuid: crypto.randomUUID() }));
      for (const batch of [reports, reports, again]) {
        const validated = validateReports({ reports: batch }, now, 0);
        await storeReports(env.DB, tenant.id, validated.accepted, now);
      }
    }
    const aggregates = await aggregatesOf(tenant.id);
    // 3 report kinds + 2 users + 3 resources + 1 bot + 2 bot instances, on one day and cluster.
    expect(aggregates.hours).toHaveLength(3);
    expect(aggregates.users).toHaveLength(2);
    expect(aggregates.resources).toHaveLength(3);
    expect(aggregates.workloads).toHaveLength(3);
    for (const row of [...aggregates.hours, ...aggregates.resources, ...aggregates.workloads]) {
      expect(row.hours).toBe(ALL_HOURS);
    }
  });
});
