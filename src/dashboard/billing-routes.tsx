import { Hono } from "hono";
import { z } from "zod";
import { readContracts } from "../billing/contracts";
import { billingDetail } from "../billing/detail";
import { exportDownload } from "../billing/export";
import { MAX_HISTORY_MONTHS, readHistory } from "../billing/history";
import { monthOf, monthStart, nextMonth } from "../billing/months";
import { readTenantOverview } from "../billing/overview";
import { readBillingUsage } from "../billing/queries";
import { readReporting, reportingSilenceHoursOf } from "../billing/reporting";
import { monthSchema } from "../http/schemas";
import { validQuery } from "../http/validation";
import { listTenants, requireTenantByRef, tenantRefSchema } from "../tenants/admin";
import { originOf } from "./origin";
import { BillingPage } from "./pages/billing";
import { BillingOverview } from "./pages/billing-overview";
import { TenantBilling } from "./pages/tenant-billing";
import type { DashboardEnv } from "./renderer";

/**
 * The billing pages, under /dashboard/billing (behind the session guard of page-routes.tsx):
 * the open periods (or, with `?month=`, the periods starting in a month), one tenant's page,
 * and a period's evidence as CSV, byte for byte what `GET /v1/billing/usage/export` answers.
 */

const TITLE = "Tenants and billing";
const tenantQuery = z.object({
  tenant: tenantRefSchema,
  month: monthSchema.optional(),
  months: z.coerce.number().int().min(1).max(MAX_HISTORY_MONTHS).default(12),
});

export const billingPageRoutes = new Hono<DashboardEnv>()
  .get("/", async (c) => {
    const now = Date.now();
    const given = c.req.query("month");
    const parsed = monthSchema.safeParse(given || monthOf(now));
    const month = parsed.success ? parsed.data : monthOf(now);
    const around = { month, previous: monthOf(monthStart(month) - 1), next: nextMonth(month) };
    const tenants = await listTenants(c.env.DB, now);
    if (given === undefined || given === "") {
      const hours = reportingSilenceHoursOf(c.env);
      const [periods, contracts, reporting] = await Promise.all([
        readTenantOverview(c.env.DB, tenants, now),
        readContracts(c.env.DB),
        readReporting(c.env.DB, now, hours),
      ]);
      return c.render(
        <BillingOverview
          {...around}
          periods={periods}
          contracts={contracts}
          tenants={tenants}
          reporting={reporting}
          silenceHours={hours}
          origin={originOf(c.req.url)}
        />,
        { title: TITLE, current: "/dashboard/billing" },
      );
    }
    const rows = await readBillingUsage(c.env.DB, month);
    c.status(parsed.success ? 200 : 400);
    return c.render(
      <BillingPage
        {...around}
        error={parsed.success ? undefined : `"${given}" is not a month, YYYY-MM`}
        rows={rows}
        tenantNames={tenants.map((tenant) => tenant.name)}
        origin={originOf(c.req.url)}
      />,
      { title: TITLE, current: "/dashboard/billing" },
    );
  })
  .get("/tenant", validQuery(tenantQuery, "?tenant=<name>[&month=YYYY-MM][&months=1-36]"), async (c) => {
    const { tenant: ref, month: asked, months } = c.req.valid("query");
    const now = Date.now();
    const hours = reportingSilenceHoursOf(c.env);
    const tenant = await requireTenantByRef(c.env.DB, ref);
    const [listing, contracts, history, reporting] = await Promise.all([
      listTenants(c.env.DB, now),
      readContracts(c.env.DB),
      readHistory(c.env.DB, tenant, months, now, asked),
      readReporting(c.env.DB, now, hours, tenant.id),
    ]);
    const month = asked ?? history.current.month;
    const detail = await billingDetail(c.env.DB, tenant, month);
    return c.render(
      <TenantBilling
        tenant={listing.find((t) => t.id === tenant.id) ?? { ...tenant, tokens: [] }}
        contract={contracts.get(tenant.id)}
        month={month}
        months={months}
        history={history}
        detail={detail}
        reporting={reporting[0]}
        silenceHours={hours}
      />,
      { title: `Tenant ${tenant.name}`, current: "/dashboard/billing" },
    );
  })
  .get(
    "/export.csv",
    validQuery(z.object({ tenant: tenantRefSchema, month: monthSchema }), "?tenant=<name>&month=YYYY-MM"),
    async (c) => {
      const { tenant: ref, month } = c.req.valid("query");
      return exportDownload(c, c.env.DB, await requireTenantByRef(c.env.DB, ref), month);
    },
  );
