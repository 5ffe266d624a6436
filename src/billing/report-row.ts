import type { Context } from "hono";
import { z } from "zod";
import { csvDownload, toCsv } from "../http/csv";
import type { BillingReportRow } from "./queries";

/**
 * A billing row as the operator receives it, defined once: the schema below gives its columns,
 * their order (the JSON's and the CSV's), their types and what they mean (the OpenAPI
 * description). `GET /v1/billing/usage` answers it as JSON or CSV, and the dashboard's billing
 * page offers the same CSV.
 */
export const billingRowSchema = z
  .object({
    tenant_id: z.string(),
    tenant_name: z.string(),
    period_start: z.string().describe("first day of the period, YYYY-MM-DD"),
    period_end: z.string().describe("last day of the period, YYYY-MM-DD (included)"),
    mau: z.number().describe("monthly active users"),
    tpr: z.number().describe("teleport protected resources"),
    mwi: z.number().describe("machine and workload identities"),
    mau_high_water: z.number().describe("the highest MAU of the term so far"),
    tpr_high_water: z.number(),
    mwi_high_water: z.number(),
    term_start: z.string().nullable().describe("the term the high-water marks run over (null in formula 1 rows)"),
    term_end: z.string().nullable(),
    late_reports: z.number().describe("reports stored after the period closed: kept, never counted"),
    formula_version: z.number(),
    final: z.boolean().describe("true once the period is final: its figures never change again"),
    computed_at: z.string().describe("when the figures were computed, ISO 8601"),
    mau_by_origin: z
      .record(z.string(), z.number())
      .describe("MAU by user origin (local, sso, okta, scim, entraid, unspecified): they add up to mau"),
    summaries_generated: z.number().describe("Identity Security: session summaries generated in the period"),
    summary_input_tokens: z.number().describe("Identity Security: the summaries' input tokens"),
    summary_output_tokens: z.number().describe("Identity Security: the summaries' output tokens"),
    graph_identities: z.number().describe("Identity Security: identities in the graph (hourly sizes averaged)"),
    graph_resources: z.number().describe("Identity Security: resources in the graph (hourly sizes averaged)"),
    audit_logs_ingested: z.number().describe("Identity Security: audit log entries taken in"),
    identity_security_by_provider: z
      .record(z.string(), z.object({ identities: z.number(), resources: z.number(), logs_ingested: z.number() }))
      .describe("Identity Security per provider"),
  })
  .meta({ id: "BillingRow" });

export type BillingRowJson = z.infer<typeof billingRowSchema>;

/** The columns, in the order the JSON and the CSV give them. */
export const BILLING_COLUMNS = Object.keys(billingRowSchema.shape) as (keyof BillingRowJson)[];

/** The columns a stored row holds as JSON text: objects in the JSON answer, their text in a CSV cell. */
const MAP_COLUMNS = ["mau_by_origin", "identity_security_by_provider"] as const;

/**
 * A stored row as the API (JSON and CSV) and the dashboard's download give it. The two maps
 * (MAU by origin, Identity Security by provider) are objects in JSON and their JSON text in a
 * CSV cell.
 */
export function billingReportRow(row: BillingReportRow, maps: "objects" | "text" = "objects"): BillingRowJson {
  const values: Record<string, unknown> = { ...row, computed_at: new Date(row.computed_at).toISOString() };
  if (maps === "objects") for (const column of MAP_COLUMNS) values[column] = JSON.parse(row[column]);
  return Object.fromEntries(BILLING_COLUMNS.map((column) => [column, values[column]])) as BillingRowJson;
}

/** A period's rows as a CSV download: the API's `Accept: text/csv` answer, and the dashboard's. */
export function billingCsv(c: Context, month: string, rows: readonly BillingReportRow[]): Response {
  return csvDownload(
    c,
    `edgehog-billing-${month}.csv`,
    toCsv(
      BILLING_COLUMNS,
      rows.map((row) => billingReportRow(row, "text")),
    ),
  );
}
