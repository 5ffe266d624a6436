import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { computeBilling } from "../../src/billing/compute";
import { dayAfter } from "../../src/billing/months";
import { periodSeries } from "../../src/billing/series";
import { DAY_MS, HOUR_MS, utcDay, utcHour } from "../../src/lib/time";
import { createTenant } from "../../src/tenants/admin";
import { clearAggregates, replayReports } from "../../src/usage/replay";
import { storeReports } from "../../src/usage/store";
import { validateReports } from "../../src/usage/validate";
import { aggregatesOf } from "../helpers/aggregates";
import { type RandomReport, randomReport, wireReport } from "../helpers/random-reports";

/**
 * The figures are the definitions of docs/BILLING.md, whatever the order, the resends and the
 * lateness of the reports, and can be rebuilt from the raw reports. Random reports over 34 days
 * (two clusters, users of every kind, bots, SPIFFE IDs, resources; a random anchor day) are
 * stored shuffled with resends; some arrive after their period was closed. Every period's row
 * must match a reference model written from the definitions alone, and clearing the aggregates
 * and replaying the raw reports must give back the same aggregates and figures.
 */

const GRACE_DAYS = 3;
const WINDOW_START = Date.parse("2026-03-01T00:00:00Z");
const QUARTERS = 34 * 96;
/** Reports are stored once the window is over; a second batch arrives 4 days later. */
const FIRST_STORE = WINDOW_START + 34 * DAY_MS + HOUR_MS;
const CLOSE_RUN = WINDOW_START + 38 * DAY_MS;
const SECOND_STORE = CLOSE_RUN + HOUR_MS;
/** The earliest start a report of the second batch may have (35 days before it is sent). */
const SECOND_EARLIEST_QUARTER = Math.ceil((SECOND_STORE - 35 * DAY_MS - WINDOW_START) / (15 * 60_000));
const FINAL_RUN = WINDOW_START + 80 * DAY_MS;

const scenario = fc.record({
  anchorDay: fc.integer({ min: 1, max: 31 }),
  reports: fc.array(randomReport(QUARTERS), { minLength: 15, maxLength: 45 }),
  resends: fc.array(fc.nat(), { maxLength: 10 }),
  order: fc.array(fc.double({ noNaN: true }), { minLength: 55, maxLength: 55 }),
});

interface Report {
  generated: RandomReport;
  startMs: number;
  wire: Record<string, unknown>;
  /** Sent in the second batch (a report whose start allows it). */
  second: boolean;
}

/** The definitions of docs/BILLING.md, applied to plain reports (names, not digests). */
function referenceFigures(reports: RandomReport[]): { mau: number; tpr: number; mwi: number } {
  const users = new Set<string>();
  const tprHours = new Map<string, Set<string>>();
  const mwiHours = new Map<string, Set<string>>();
  const hourSet = (hours: Map<string, Set<string>>, key: string) => {
    const set = hours.get(key) ?? new Set<string>();
    hours.set(key, set);
    return set;
  };
  for (const r of reports) {
    const hour = utcHour(WINDOW_START + r.quarter * 15 * 60_000);
    if (r.body.kind === "resource_presence") {
      const present = hourSet(tprHours, hour);
      for (const g of r.body.groups) for (const id of g.ids) present.add(`${g.kind} ${id}`);
      continue;
    }
    const machines = hourSet(mwiHours, hour);
    if (r.body.kind === "user_activity") {
      for (const u of r.body.users) {
        const active = u.logins + u.ssh > 0;
        if (active && (u.kind === "human" || u.kind === "unspecified")) users.add(u.user);
        if (active && u.kind === "bot") machines.add(`bot ${u.user}`);
        for (const s of u.spiffe) if (s.svids > 0) machines.add(`spiffe ${s.id}`);
      }
    } else {
      for (const b of r.body.bots) {
        if (b.joins + b.certs === 0) continue;
        machines.add(`bot ${b.bot}`);
        machines.add(`instance ${b.instance}`);
      }
    }
  }
  const average = (hours: Map<string, Set<string>>) => {
    const days = new Map<string, number[]>();
    for (const [hour, set] of hours) days.set(hour.slice(0, 10), [...(days.get(hour.slice(0, 10)) ?? []), set.size]);
    const means = [...days.values()].map((counts) => counts.reduce((a, b) => a + b, 0) / counts.length);
    return means.length === 0 ? 0 : means.reduce((a, b) => a + b, 0) / means.length;
  };
  return { mau: users.size, tpr: average(tprHours), mwi: average(mwiHours) };
}

interface Row {
  month: string;
  period_start: string;
  period_end: string;
  mau: number;
  tpr: number;
  mwi: number;
  state: string;
  late_reports: number;
}

async function storeShuffled(tenantId: string, createdAt: number, reports: Record<string, unknown>[], now: number) {
  for (let i = 0; i < reports.length; i += 10) {
    const validated = validateReports({ reports: reports.slice(i, i + 10) }, now, createdAt);
    expect(validated.rejected).toEqual([]);
    await storeReports(env.DB, tenantId, validated.accepted, now);
  }
}

let run = 0;

describe("billing figures", () => {
  it("follow the definitions whatever the order, resends and lateness, and come back identical from a replay", async () => {
    await fc.assert(
      fc.asyncProperty(scenario, async ({ anchorDay, reports: generatedReports, resends, order }) => {
        const tenant = await createTenant(env.DB, {
          name: `repro-${run++}`,
          termStart: `2026-01-${String(anchorDay).padStart(2, "0")}`,
          now: WINDOW_START,
        });
        const reports: Report[] = await Promise.all(
          generatedReports.map(async (g) => ({
            generated: g,
            startMs: WINDOW_START + g.quarter * 15 * 60_000,
            wire: await wireReport(g, WINDOW_START),
            second: g.secondBatch && g.quarter >= SECOND_EARLIEST_QUARTER,
          })),
        );
        // Each batch shuffled, with some of its reports sent twice.
        const batch = (second: boolean) => {
          const chosen = reports.filter((r) => r.second === second);
          const sent = [
            ...chosen,
            ...resends.flatMap((i) => (chosen.length > 0 ? [chosen[i % chosen.length] as Report] : [])),
          ];
          return sent
            .map((r, i) => ({ r, key: order[i % order.length] ?? 0 }))
            .sort((a, b) => a.key - b.key)
            .map(({ r }) => r.wire);
        };
        await storeShuffled(tenant.id, tenant.created_at, batch(false), FIRST_STORE);
        await computeBilling(env.DB, CLOSE_RUN, GRACE_DAYS);
        const closed = (
          await env.DB.prepare(
            "SELECT MAX(period_end) AS end FROM billing_usage WHERE tenant_id = ?1 AND state = 'final'",
          )
            .bind(tenant.id)
            .first<{ end: string | null }>()
        )?.end;
        await storeShuffled(tenant.id, tenant.created_at, batch(true), SECOND_STORE);
        await computeBilling(env.DB, FINAL_RUN, GRACE_DAYS);

        // Late: sent in the second batch for a day of a period closed by then.
        const isLate = (r: Report) => r.second && closed != null && utcDay(r.startMs) <= closed;
        const { results: rows } = await env.DB.prepare(
          `SELECT month, period_start, period_end, mau, tpr, mwi, state,
             (SELECT COALESCE(SUM(reports), 0) FROM late_usage_reports AS l
              WHERE l.tenant_id = b.tenant_id AND l.day BETWEEN b.period_start AND b.period_end) AS late_reports
           FROM billing_usage AS b WHERE tenant_id = ?1 ORDER BY month`,
        )
          .bind(tenant.id)
          .all<Row>();
        for (const row of rows) {
          const inPeriod = reports.filter(
            (r) => row.period_start <= utcDay(r.startMs) && utcDay(r.startMs) <= row.period_end,
          );
          const expected = referenceFigures(inPeriod.filter((r) => !isLate(r)).map((r) => r.generated));
          expect(row.mau).toBe(expected.mau);
          expect(Math.abs(row.tpr - expected.tpr)).toBeLessThanOrEqual(0.005 + 1e-9);
          expect(Math.abs(row.mwi - expected.mwi)).toBeLessThanOrEqual(0.005 + 1e-9);
          expect(row.late_reports).toBe(inPeriod.filter(isLate).length);
        }
        // Periods tile from the tenant's creation to the last run's.
        for (let i = 1; i < rows.length; i++)
          expect(rows[i]?.period_start).toBe(dayAfter(rows[i - 1]?.period_end ?? ""));

        // From scratch: the raw reports rebuild the same aggregates, and the same figures.
        const before = await aggregatesOf(tenant.id);
        await clearAggregates(env.DB, tenant.id, "2026-01-01", "2026-12-31");
        expect((await aggregatesOf(tenant.id)).hours).toEqual([]);
        await replayReports(env.DB, tenant.id, "2026-01-01", "2026-12-31");
        expect(await aggregatesOf(tenant.id)).toEqual(before);
        for (const row of rows.filter((r) => r.state === "final")) {
          const { total } = await periodSeries(env.DB, tenant.id, row.period_start, row.period_end, false);
          expect({ mau: total.mau, tpr: total.tpr, mwi: total.mwi }).toEqual({
            mau: row.mau,
            tpr: row.tpr,
            mwi: row.mwi,
          });
        }
        // Recomputing final periods changes nothing.
        const stored = await env.DB.prepare("SELECT * FROM billing_usage WHERE tenant_id = ?1 ORDER BY month")
          .bind(tenant.id)
          .all();
        await computeBilling(env.DB, FINAL_RUN, GRACE_DAYS);
        expect(
          (
            await env.DB.prepare("SELECT * FROM billing_usage WHERE tenant_id = ?1 ORDER BY month")
              .bind(tenant.id)
              .all()
          ).results,
        ).toEqual(stored.results);
      }),
      { seed: 1515, numRuns: 12 },
    );
  }, 120_000);
});
