import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { storeReports } from "../../src/usage/store";
import { validateReports } from "../../src/usage/validate";
import { aggregatesOf } from "../helpers/aggregates";
import { randomReport, wireReport } from "../helpers/random-reports";

/**
 * Migration 0004 on a database that already holds data: it fills the new aggregates from the
 * raw reports stored before it (with SQL of its own), which must give exactly what the
 * TypeScript fold gives for the same reports; it sets every tenant's default term and keeps the
 * billing rows already written, dated and marked as computed with the earlier formulas.
 */

const WINDOW_START = Date.parse("2026-03-01T00:00:00Z");
const STORED_AT = WINDOW_START + 20 * 86_400_000;
const TENANT = { id: "tn_00000000000000000001", name: "legacy-co", created_at: Date.parse("2026-02-17T15:00:00Z") };

/** Reports as the JSON route took them before SPIFFE IDs and `system` users existed. */
async function legacyReports(): Promise<Record<string, unknown>[]> {
  const [generated = []] = fc.sample(fc.array(randomReport(20 * 96), { minLength: 80, maxLength: 80 }), {
    seed: 404,
    numRuns: 1,
  });
  const reports = await Promise.all(generated.map((g) => wireReport(g, WINDOW_START)));
  for (const report of reports) {
    for (const record of (report.records ?? []) as Record<string, unknown>[]) {
      delete record.spiffe_ids_issued;
      if (record.user_kind === "system") record.user_kind = "unspecified";
    }
  }
  return reports;
}

describe("migration 0004", () => {
  it("backfills the aggregates from stored raw reports exactly as the fold does, and keeps billed rows", async () => {
    const legacy = env.SCHEMA_DB;
    await applyD1Migrations(
      legacy,
      env.TEST_MIGRATIONS.filter((m) => m.name < "0004"),
    );
    await legacy
      .prepare("INSERT INTO tenants (id, name, plan, disabled, created_at) VALUES (?1, ?2, 'standard', 0, ?3)")
      .bind(TENANT.id, TENANT.name, TENANT.created_at)
      .run();
    await env.DB.prepare(
      "INSERT INTO tenants (id, name, plan, disabled, created_at, term_start, term_months) VALUES (?1, ?2, 'standard', 0, ?3, '2026-02-01', 12)",
    )
      .bind(TENANT.id, TENANT.name, TENANT.created_at)
      .run();

    const reports = await legacyReports();
    const accepted = [];
    for (let i = 0; i < reports.length; i += 10) {
      const judged = validateReports({ reports: reports.slice(i, i + 10) }, STORED_AT, 0);
      expect(judged.rejected).toEqual([]);
      accepted.push(...judged.accepted);
    }
    for (const validated of accepted) {
      // What the code before 0004 stored: the normalised report, without the fields added since.
      const body = structuredClone(validated.report) as { records?: Record<string, unknown>[] };
      for (const record of body.records ?? []) delete record.spiffe_ids_issued;
      await legacy
        .prepare(
          `INSERT INTO usage_reports
             (tenant_id, report_uuid, kind, cluster_name, reporter_hostid, start_time, end_time, hour, received_at, body)
           VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)`,
        )
        .bind(
          TENANT.id,
          validated.report.report_uuid,
          validated.report.kind,
          validated.report.cluster_name,
          validated.report.reporter_hostid,
          validated.startMs,
          validated.endMs,
          validated.hour,
          STORED_AT,
          JSON.stringify(body),
        )
        .run();
    }
    await legacy
      .prepare(
        `INSERT INTO billing_usage (tenant_id, month, mau, tpr, mwi, mau_high_water, tpr_high_water, mwi_high_water, final, computed_at)
         VALUES (?1, '2026-02', 4, 2.5, 3, 4, 2.5, 3, 1, 1), (?1, '2026-03', 5, 1, 2, 5, 2.5, 3, 0, 2)`,
      )
      .bind(TENANT.id)
      .run();

    await applyD1Migrations(legacy, env.TEST_MIGRATIONS);
    await storeReports(env.DB, TENANT.id, accepted, STORED_AT);

    const migrated = await aggregatesOf(TENANT.id, legacy);
    expect(migrated.users.length).toBeGreaterThan(0);
    expect(migrated.resources.length).toBeGreaterThan(0);
    expect(migrated.workloads.length).toBeGreaterThan(0);
    expect(migrated).toEqual(await aggregatesOf(TENANT.id, env.DB));

    expect(
      await legacy.prepare("SELECT term_start, term_months FROM tenants WHERE id = ?1").bind(TENANT.id).first(),
    ).toEqual({ term_start: "2026-02-01", term_months: 12 });
    const { results } = await legacy
      .prepare(
        `SELECT month, period_start, period_end, term_start, mau, tpr, mwi, state, formula_version, computed_at
         FROM billing_usage ORDER BY month`,
      )
      .all();
    expect(results).toEqual([
      {
        month: "2026-02",
        period_start: "2026-02-01",
        period_end: "2026-02-28",
        term_start: null,
        mau: 4,
        tpr: 2.5,
        mwi: 3,
        state: "final",
        formula_version: 1,
        computed_at: 1,
      },
      {
        month: "2026-03",
        period_start: "2026-03-01",
        period_end: "2026-03-31",
        term_start: null,
        mau: 5,
        tpr: 1,
        mwi: 2,
        state: "open",
        formula_version: 1,
        computed_at: 2,
      },
    ]);
    expect(
      (await legacy.prepare("SELECT COUNT(*) AS n FROM usage_reports WHERE late = 0").first<{ n: number }>())?.n,
    ).toBe(accepted.length);
  });
});
