import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../http/context";
import { validQuery } from "../http/validation";
import { requireTenantByRef } from "../tenants/admin";
import { contractJson, readContract } from "./contracts";
import { exportCsv } from "./export";
import { MAX_HISTORY_MONTHS, readHistory } from "./history";
import { readReporting, reportingSilenceHoursOf, type TenantReporting } from "./reporting";
import { billingReportRow, monthSchema } from "./route";

/**
 * The operator's billing operations, under /v1/billing beside the figures:
 *
 * - `GET /reporting[?tenant=]`: each tenant that must report (or the one named), its clusters'
 *   last reported hour per kind, and which are silent (reporting.ts);
 * - `GET /usage/history?tenant=&months=12[&to=YYYY-MM]`: the tenant's figures per period (history.ts);
 * - `GET /usage/export?tenant=&month=`: a period's evidence as CSV (export.ts).
 */

const tenantRef = z.string().min(1).max(128);
const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

/** A tenant's reporting as the API and the dashboard's download give it. */
export function reportingJson(tenant: TenantReporting) {
  return {
    tenant_id: tenant.tenant_id,
    tenant_name: tenant.tenant_name,
    reporting_required: tenant.reporting_required,
    reporting_required_since: iso(tenant.reporting_since),
    last_report_at: iso(tenant.last_report_at),
    silent: tenant.silent,
    flagged_at: iso(tenant.flagged[""] ?? null),
    clusters: tenant.clusters.map((cluster) => ({
      cluster_name: cluster.cluster_name,
      last_report_at: iso(cluster.last_report_at),
      kinds: Object.fromEntries(Object.entries(cluster.kinds).map(([kind, ms]) => [kind, iso(ms)])),
      silent: cluster.silent,
      flagged_at: iso(tenant.flagged[cluster.cluster_name] ?? null),
    })),
  };
}

export const billingOperationsRoutes = new Hono<AppEnv>()
  .get("/reporting", validQuery(z.object({ tenant: tenantRef.optional() }), "[?tenant=<id or name>]"), async (c) => {
    const ref = c.req.valid("query").tenant;
    const tenantId = ref === undefined ? undefined : (await requireTenantByRef(c.env.DB, ref)).id;
    const hours = reportingSilenceHoursOf(c.env);
    const tenants = await readReporting(c.env.DB, Date.now(), hours, tenantId);
    return c.json({ silence_hours: hours, tenants: tenants.map(reportingJson) });
  })
  .get(
    "/usage/history",
    validQuery(
      z.object({
        tenant: tenantRef,
        months: z.coerce.number().int().min(1).max(MAX_HISTORY_MONTHS).default(12),
        to: monthSchema.optional(),
      }),
      `?tenant=<id or name>&months=1-${MAX_HISTORY_MONTHS}[&to=YYYY-MM]`,
    ),
    async (c) => {
      const { tenant: ref, months, to } = c.req.valid("query");
      const tenant = await requireTenantByRef(c.env.DB, ref);
      const [history, contract] = await Promise.all([
        readHistory(c.env.DB, tenant, months, Date.now(), to),
        readContract(c.env.DB, tenant.id),
      ]);
      return c.json({
        tenant_id: tenant.id,
        tenant_name: tenant.name,
        months,
        from: history.from,
        to: history.to,
        current_period: history.current,
        contract: contract && contractJson(contract),
        peak: history.peak,
        periods: history.rows.map((row) => ({ month: row.month, state: row.state, ...billingReportRow(row) })),
      });
    },
  )
  .get(
    "/usage/export",
    validQuery(z.object({ tenant: tenantRef, month: monthSchema }), "?tenant=<id or name>&month=YYYY-MM"),
    async (c) => {
      const { tenant: ref, month } = c.req.valid("query");
      const tenant = await requireTenantByRef(c.env.DB, ref);
      const { csv, filename } = await exportCsv(c.env.DB, tenant, month);
      c.header("Content-Type", "text/csv; charset=utf-8");
      c.header("Content-Disposition", `attachment; filename="${filename}"`);
      return c.body(csv);
    },
  );
