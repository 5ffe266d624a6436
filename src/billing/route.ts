import { type Context, Hono } from "hono";
import { accepts } from "hono/accepts";
import { z } from "zod";
import type { AppEnv } from "../http/context";
import { toCsv } from "../http/csv";
import { validQuery } from "../http/validation";
import { requireTenantByRef } from "../tenants/admin";
import { billingDetail } from "./detail";
import { type BillingReportRow, readBillingUsage } from "./queries";

/**
 * The operator's billing API: `GET /v1/billing/usage`, each tenant's figures for a period as
 * JSON or CSV, and `GET /v1/billing/usage/detail`, how one tenant's figures were reached. The
 * dashboard's billing page and download reuse the row and CSV forms below.
 */

/** A period is named by the month it starts in, `YYYY-MM`. */
export const monthSchema = z.string().regex(/^\d{4}-(0[1-9]|1[0-2])$/, "must be a month, YYYY-MM");
const tenantRef = z.string().min(1).max(128);
const usageQuery = z.object({ month: monthSchema, tenant: tenantRef.optional() });
const detailQuery = z.object({ month: monthSchema, tenant: tenantRef });

/** The columns of a billing row, in the order the JSON and the CSV give them. */
export const BILLING_COLUMNS = [
  "tenant_id",
  "tenant_name",
  "period_start",
  "period_end",
  "mau",
  "tpr",
  "mwi",
  "mau_high_water",
  "tpr_high_water",
  "mwi_high_water",
  "term_start",
  "term_end",
  "late_reports",
  "formula_version",
  "final",
  "computed_at",
  "mau_by_origin",
  "summaries_generated",
  "summary_input_tokens",
  "summary_output_tokens",
  "graph_identities",
  "graph_resources",
  "audit_logs_ingested",
  "identity_security_by_provider",
] as const;

/**
 * A billing row as the API (JSON and CSV) and the dashboard's download give it. The two maps
 * (MAU by origin, Identity Security by provider) are objects in JSON and their JSON text in a
 * CSV cell.
 */
export function billingReportRow(
  row: BillingReportRow,
  maps: "objects" | "text" = "objects",
): Record<(typeof BILLING_COLUMNS)[number], unknown> {
  const map = (text: string) => (maps === "text" ? text : JSON.parse(text));
  return {
    tenant_id: row.tenant_id,
    tenant_name: row.tenant_name,
    period_start: row.period_start,
    period_end: row.period_end,
    mau: row.mau,
    tpr: row.tpr,
    mwi: row.mwi,
    mau_high_water: row.mau_high_water,
    tpr_high_water: row.tpr_high_water,
    mwi_high_water: row.mwi_high_water,
    term_start: row.term_start,
    term_end: row.term_end,
    late_reports: row.late_reports,
    formula_version: row.formula_version,
    final: row.final,
    computed_at: new Date(row.computed_at).toISOString(),
    mau_by_origin: map(row.mau_by_origin),
    summaries_generated: row.summaries_generated,
    summary_input_tokens: row.summary_input_tokens,
    summary_output_tokens: row.summary_output_tokens,
    graph_identities: row.graph_identities,
    graph_resources: row.graph_resources,
    audit_logs_ingested: row.audit_logs_ingested,
    identity_security_by_provider: map(row.identity_security_by_provider),
  };
}

/** A period's rows as a CSV download: the API's `Accept: text/csv` answer, and the dashboard's. */
export function billingCsv(c: Context, month: string, rows: readonly BillingReportRow[]): Response {
  c.header("Content-Type", "text/csv; charset=utf-8");
  c.header("Content-Disposition", `attachment; filename="edgehog-billing-${month}.csv"`);
  return c.body(
    toCsv(
      BILLING_COLUMNS,
      rows.map((row) => billingReportRow(row, "text")),
    ),
  );
}

export const billingRoutes = new Hono<AppEnv>()
  .get("/usage", validQuery(usageQuery, "?month=YYYY-MM[&tenant=<id or name>]"), async (c) => {
    const { month, tenant: ref } = c.req.valid("query");
    const tenantId = ref === undefined ? undefined : (await requireTenantByRef(c.env.DB, ref)).id;
    const rows = await readBillingUsage(c.env.DB, month, tenantId);
    const type = accepts(c, {
      header: "Accept",
      supports: ["application/json", "text/csv"],
      default: "application/json",
    });
    if (type === "text/csv") return billingCsv(c, month, rows);
    return c.json({ month, rows: rows.map((row) => billingReportRow(row)) });
  })
  .get("/usage/detail", validQuery(detailQuery, "?tenant=<id or name>&month=YYYY-MM"), async (c) => {
    const { month, tenant: ref } = c.req.valid("query");
    const tenant = await requireTenantByRef(c.env.DB, ref);
    return c.json(await billingDetail(c.env.DB, tenant, month));
  });
