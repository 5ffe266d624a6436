import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { MAX_SPIFFE_IDS_PER_RECORD } from "../../src/usage/schema";
import { storeReports } from "../../src/usage/store";
import { validateReports } from "../../src/usage/validate";
import { aggregatesOf } from "../helpers/aggregates";
import { userActivityReport } from "../helpers/reports";
import { digestOf, tenantWithToken } from "../helpers/tenants";

/** User kinds and SPIFFE IDs in user-activity records: what is accepted and what each one counts in. */

const NOW = Date.parse("2026-06-10T12:00:00Z");
const START = "2026-06-10T09:15:00Z";

async function report(records: Record<string, unknown>[]): Promise<Record<string, unknown>> {
  return { ...(await userActivityReport({ start: START, users: [] })), records };
}

describe("user-activity records", () => {
  it("count human and unspecified users in MAU, bots and SPIFFE IDs in MWI, system users in neither", async () => {
    const { tenant } = await tenantWithToken("kinds-co");
    const spiffe = (id: string, svids: number) =>
      digestOf(id).then((spiffe_id) => ({ spiffe_id, svids_issued: svids }));
    const body = await report([
      { user_name: await digestOf("human"), user_kind: "human", logins: 1 },
      { user_name: await digestOf("legacy"), ssh_sessions: 1 }, // user_kind defaults to unspecified
      { user_name: await digestOf("robot"), user_kind: "bot", kube_requests: 3 },
      { user_name: await digestOf("idle-robot"), user_kind: "bot" },
      {
        user_name: await digestOf("scheduler"),
        user_kind: "system",
        access_lists_reviewed: 2,
        spiffe_ids_issued: [await spiffe("spiffe://a", 2), await spiffe("spiffe://b", 0)],
      },
    ]);
    const validated = validateReports({ reports: [body] }, NOW, 0);
    expect(validated.rejected).toEqual([]);
    await storeReports(env.DB, tenant.id, validated.accepted, NOW);

    const aggregates = await aggregatesOf(tenant.id);
    expect(aggregates.users.map((u) => u.user_name).sort()).toEqual(
      [await digestOf("human"), await digestOf("legacy")].sort(),
    );
    expect(aggregates.workloads.map((w) => [w.kind, w.id, w.hours])).toEqual(
      expect.arrayContaining([
        ["bot", await digestOf("robot"), 2 ** 9],
        ["spiffe_id", await digestOf("spiffe://a"), 2 ** 9],
      ]),
    );
    expect(aggregates.workloads).toHaveLength(2);
  });

  it("require SPIFFE IDs to be digests, and cap them per record", async () => {
    const plain = await report([
      {
        user_name: await digestOf("human"),
        logins: 1,
        spiffe_ids_issued: [{ spiffe_id: "spiffe://example.org/payments", svids_issued: 1 }],
      },
    ]);
    const someId = await digestOf("spiffe://x");
    const tooMany = await report([
      {
        user_name: await digestOf("human"),
        spiffe_ids_issued: Array.from({ length: MAX_SPIFFE_IDS_PER_RECORD + 1 }, () => ({
          spiffe_id: someId,
          svids_issued: 1,
        })),
      },
    ]);
    const unknownKind = await report([{ user_name: await digestOf("human"), user_kind: "robot", logins: 1 }]);
    const { rejected } = validateReports({ reports: [plain, tooMany, unknownKind] }, NOW, 0);
    expect(rejected.map((r) => [r.index, r.error, r.field])).toEqual([
      [0, "not_anonymized", "records.0.spiffe_ids_issued.0.spiffe_id"],
      [1, "invalid_report", "records.0.spiffe_ids_issued"],
      [2, "invalid_report", "records.0.user_kind"],
    ]);
  });
});
