import { utcDay } from "../lib/time";
import type { TenantRow } from "../tenants/store";
import { anchorDayOf, type Period, periodContaining } from "./periods";
import { type BillingReportRow, readTenantPeriods } from "./queries";

/**
 * Each tenant's periods as an operator looks at them today: the **open** period (the one
 * holding today on the tenant's own anchor day, whatever month it started in: a term starting
 * on the 15th is in the period that started last month until the 14th) and the **last closed**
 * one (closing or final). Read through the rows the cron wrote; an open period the cron has not
 * computed yet has no row.
 */

export interface TenantPeriods {
  tenant: TenantRow;
  current: Period;
  open: BillingReportRow | null;
  lastClosed: BillingReportRow | null;
}

export async function readTenantOverview(db: D1Database, tenants: readonly TenantRow[], now: number) {
  const today = utcDay(now);
  const { results } = await db
    .prepare(
      `SELECT b.tenant_id, MAX(b.month) AS month FROM billing_usage AS b
       WHERE b.state <> 'open' GROUP BY b.tenant_id`,
    )
    .all<{ tenant_id: string; month: string }>();
  const closedMonth = new Map(results.map((row) => [row.tenant_id, row.month]));
  return Promise.all(
    tenants.map(async (tenant): Promise<TenantPeriods> => {
      const current = periodContaining(today, anchorDayOf({ start: tenant.term_start }));
      const closed = closedMonth.get(tenant.id);
      const from = closed !== undefined && closed < current.month ? closed : current.month;
      const rows = await readTenantPeriods(db, tenant.id, from, current.month);
      return {
        tenant,
        current,
        open: rows.find((row) => row.month === current.month && row.state === "open") ?? null,
        lastClosed: rows.filter((row) => row.state !== "open").at(-1) ?? null,
      };
    }),
  );
}
