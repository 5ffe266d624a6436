import { env } from "cloudflare:workers";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { emitBillingEvents, reached } from "../../src/billing/alerts";
import { computeBilling } from "../../src/billing/compute";
import { setContract } from "../../src/billing/contracts";
import { flagSilences } from "../../src/billing/reporting";
import { createTenant } from "../../src/tenants/admin";
import { at, report, seedBillCo } from "../helpers/bill-co";
import { rows } from "../helpers/harness";
import { userActivityReport } from "../helpers/reports";
import { disallowedStrings } from "../helpers/webhooks";

/**
 * Threshold and final-period webhooks: a contract threshold crossed while a period is open is
 * announced once and not again when the period becomes final; a final period is announced
 * once, with its figures as billed, and a late report announces nothing; a contract judges the
 * periods from the one it changed in. Every string of every payload belongs to an allow-list.
 */

const GRACE = 3;
let billCo: string;

async function events(tenantId: string) {
  const results = await rows<{ type: string; subject: string; payload: string }>(
    "SELECT type, subject, payload FROM billing_events WHERE tenant_id = ?1 ORDER BY created_at",
    tenantId,
  );
  return results.map((row) => ({ type: row.type, subject: row.subject, data: JSON.parse(row.payload).data }));
}

/** The cron's figures, then its alert job, at `now`. */
async function run(now: number) {
  await computeBilling(env.DB, now, GRACE);
  return emitBillingEvents(env.DB, now);
}

beforeAll(async () => {
  billCo = await seedBillCo(); // April: MAU 2, TPR 2, MWI 1.67; May: MAU 1, TPR 5, MWI 2
  await setContract(
    env.DB,
    billCo,
    { plan: "enterprise", reporting_required: false, mau: 2, tpr: 6 },
    at("2026-04-01T00:00:00Z"),
  );
});

describe("thresholds and final periods", () => {
  it("announces a threshold crossed in an open period once, and not again when the period becomes final", async () => {
    expect(await run(at("2026-04-30T12:00:00Z"))).toEqual({ thresholds: 2, finals: 0 });
    expect(await run(at("2026-05-01T12:00:00Z"))).toEqual({ thresholds: 0, finals: 0 });
    expect((await events(billCo)).map((e) => e.subject)).toEqual(["2026-04/mau/90", "2026-04/mau/100"]);
    expect((await events(billCo))[1]?.data).toMatchObject({
      figure: "mau",
      level: 100,
      value: 2,
      contracted: 2,
      final: false,
    });

    // May's TPR (5) reaches 90 % of 6 (5.4)? No: 5 < 5.4. Its MAU (1) is 50 %.
    expect(await run(at("2026-05-04T00:00:00Z"))).toEqual({ thresholds: 0, finals: 1 });
    const april = (await events(billCo)).filter((e) => e.type === "billing.period.final");
    expect(april.map((e) => e.data)).toEqual([
      {
        tenant_id: billCo,
        month: "2026-04",
        period_start: "2026-04-01",
        period_end: "2026-04-30",
        term_start: "2026-04-01",
        term_end: "2026-05-31",
        mau: 2,
        tpr: 2,
        mwi: 1.67,
        mau_high_water: 2,
        tpr_high_water: 2,
        mwi_high_water: 1.67,
        contracted: { mau: 2, tpr: 6, mwi: null },
        formula_version: 2,
        computed_at: "2026-05-04T00:00:00.000Z",
      },
    ]);
  });

  it("announces a threshold crossed during the grace days in the run that makes the period final, before it", async () => {
    // Three users on May 31 (within May), reported on June 2, before May is final on June 4.
    await report(
      billCo,
      at("2026-06-02T00:00:00Z"),
      await userActivityReport({ start: "2026-05-31T10:00:00Z", users: ["x", "y"] }),
    );
    expect(await run(at("2026-06-04T00:00:00Z"))).toEqual({ thresholds: 2, finals: 1 });
    const may = (await events(billCo)).filter((e) => e.subject.startsWith("2026-05"));
    expect(may.map((e) => [e.type, e.subject, e.data.final])).toEqual([
      ["billing.usage.threshold", "2026-05/mau/90", true],
      ["billing.usage.threshold", "2026-05/mau/100", true],
      ["billing.period.final", "2026-05", undefined],
    ]);
  });

  it("announces nothing for a late report, and leaves the final figures as billed", async () => {
    const before = await events(billCo);
    const late = await userActivityReport({ start: "2026-05-20T10:00:00Z", users: ["p", "q", "r", "s"] });
    expect(await report(billCo, at("2026-06-10T00:00:00Z"), late)).toMatchObject({ late: 1 });
    expect(await run(at("2026-06-10T01:00:00Z"))).toEqual({ thresholds: 0, finals: 0 });
    expect(await events(billCo)).toEqual(before);
  });

  it("judges a contract from the period it changed in, not the periods before", async () => {
    const t = (await createTenant(env.DB, { name: "late-contract", now: at("2026-04-01T00:00:00Z") })).id;
    await report(
      t,
      at("2026-04-10T00:00:00Z"),
      await userActivityReport({ start: "2026-04-09T10:00:00Z", users: ["a", "b"] }),
    );
    await report(
      t,
      at("2026-05-10T00:00:00Z"),
      await userActivityReport({ start: "2026-05-09T10:00:00Z", users: ["a", "b"] }),
    );
    await computeBilling(env.DB, at("2026-05-10T00:00:00Z"), GRACE);
    await setContract(env.DB, t, { plan: "standard", reporting_required: false, mau: 2 }, at("2026-05-10T00:00:00Z"));
    await emitBillingEvents(env.DB, at("2026-05-10T00:00:00Z"));
    expect((await events(t)).map((e) => e.subject)).toEqual(["2026-04", "2026-05/mau/90", "2026-05/mau/100"]);
  });
});

describe("reached", () => {
  it("is exact for figures of two decimals and whole quantities", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 10_000_000 }),
        fc.integer({ min: 1, max: 100_000 }),
        fc.constantFrom(90, 100),
        (hundredths, q, level) => {
          expect(reached(hundredths / 100, q, level)).toBe(hundredths * 100 >= q * 100 * level);
        },
      ),
      { seed: 20261206, numRuns: 2000 },
    );
    expect(reached(4.5, 5, 90)).toBe(true);
    expect(reached(4.49, 5, 90)).toBe(false);
    expect(reached(1.01, 1, 100)).toBe(true);
  });
});

describe("payloads", () => {
  it("hold only figures, ids, digests, days and times, and words of a closed set", async () => {
    await flagSilences(env.DB, at("2026-06-10T02:00:00Z"), 24); // nothing required: no silence
    const results = await rows<{ id: string; payload: string }>(
      "SELECT id, payload FROM billing_events WHERE payload <> 'null'",
    );
    expect(results.length).toBeGreaterThan(5);
    for (const row of results) {
      expect(row.id).toMatch(/^evt_[0-9a-f]{32}$/);
      expect(disallowedStrings(JSON.parse(row.payload))).toEqual([]);
    }
  });
});
