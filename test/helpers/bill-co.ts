import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { createTenant } from "../../src/tenants/admin";
import { storeReports } from "../../src/usage/store";
import { validateReports } from "../../src/usage/validate";
import { botInstanceReport, resourcePresenceReport, userActivityReport } from "./reports";
import { digestOf } from "./tenants";

/**
 * The billing tests' tenant, "bill-co", and its April and May reports.
 *
 * The tenant is created on 2026-04-01 with a 2-month term: periods are calendar months (anchor
 * day 1), term 0 is April-May, term 1 June-July. The fixture, by hand:
 * April
 *   users: alice + bob on 04-03 (cluster A), alice again on 04-20 (cluster B), carol with only
 *          zero counters                                        → MAU 2
 *   resources: 04-03 10h {n1,n2,n3}=3, 11h {n1}=1               → day 2
 *              04-04 00h {n1,n2} (A) + {n3,n4} (B) = 4, 01h a report listing nothing = 0
 *                                                               → day 2
 *              → TPR (2 + 2) / 2 = 2
 *   MWI hours (user or bot-instance reports):
 *              04-03 10h: bot-ci (the instances' bot) + {i1, i2} = 3          → day 3
 *              04-10 10h: bot-ci + {i1} = 2                                   → day 2
 *              04-20 08h: alice's report, no machine identity = 0            → day 0
 *              → MWI (3 + 2 + 0) / 3 = 1.666… → 1.67
 * May
 *   users: dave → MAU 1; resources: 05-01 00h {n1..n5} → TPR 5; 05-01 00h bot-ci + i3 → MWI 2
 *   high-water marks over April-May: MAU 2, TPR 5, MWI 2
 */

export const at = (iso: string) => Date.parse(iso);

/** Stores reports for a tenant as POST /v1/usage would, with the clock set to `now`. */
export async function report(tenantId: string, now: number, ...reports: Record<string, unknown>[]) {
  const validated = validateReports({ reports }, now, 0); // the tenant has existed all along
  expect(validated.rejected).toEqual([]);
  return storeReports(env.DB, tenantId, validated.accepted, now);
}

async function onClusterB(report: Promise<Record<string, unknown>>): Promise<Record<string, unknown>> {
  return { ...(await report), cluster_name: await digestOf("cluster-b"), reporter_hostid: await digestOf("auth-b") };
}

/** Creates "bill-co" and stores its April and May reports; resolves to its id. */
export async function seedBillCo(): Promise<string> {
  const tenantId = (await createTenant(env.DB, { name: "bill-co", termMonths: 2, now: at("2026-04-01T00:00:00Z") })).id;
  const april = at("2026-04-30T00:00:00Z");
  const idle = await userActivityReport({ start: "2026-04-03T10:00:00Z", users: ["carol"] });
  (idle.records as Record<string, unknown>[])[0] = { user_name: await digestOf("carol"), user_kind: "human" };
  await report(
    tenantId,
    april,
    await userActivityReport({ start: "2026-04-03T10:00:00Z", users: ["alice", "bob"] }),
    await onClusterB(userActivityReport({ start: "2026-04-20T08:15:00Z", users: ["alice"] })),
    idle,
    await resourcePresenceReport({ start: "2026-04-03T10:00:00Z", nodes: ["n1", "n2", "n3"] }),
    await resourcePresenceReport({ start: "2026-04-03T11:00:00Z", nodes: ["n1"] }),
    await resourcePresenceReport({ start: "2026-04-04T00:00:00Z", nodes: ["n1", "n2"] }),
    await onClusterB(resourcePresenceReport({ start: "2026-04-04T00:00:00Z", nodes: ["n3", "n4"] })),
    await resourcePresenceReport({ start: "2026-04-04T01:00:00Z", nodes: [] }),
  );
  await report(
    tenantId,
    april,
    await botInstanceReport({ start: "2026-04-03T10:00:00Z", instances: ["i1", "i2"] }),
    await botInstanceReport({ start: "2026-04-10T10:00:00Z", instances: ["i1"] }),
  );
  const may = at("2026-05-01T12:00:00Z");
  await report(
    tenantId,
    may,
    await userActivityReport({ start: "2026-05-01T00:00:00Z", users: ["dave"] }),
    await resourcePresenceReport({ start: "2026-05-01T00:00:00Z", nodes: ["n1", "n2", "n3", "n4", "n5"] }),
    await botInstanceReport({ start: "2026-05-01T00:00:00Z", instances: ["i3"] }),
  );
  return tenantId;
}
