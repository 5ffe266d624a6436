import type { BillingReportRow } from "../../billing/queries";
import { USER_ORIGINS } from "../../usage/vocabulary";
import { formatNumber, HorizontalBars } from "../charts";
import { EmptyState } from "../layout";
import { type Column, Table } from "../table";
import { BillingMonthForm, FIGURES, tenantHref } from "./billing-parts";

/**
 * The Tenants and billing page for a month (`?month=`): per tenant, the period starting in that
 * month, its MAU, TPR and MWI with their high-water marks and whether the period is final, MAU
 * by user origin, and Identity Security's figures, as the cron computed them (exact figures: no
 * small-group rule here), and the same as a CSV download. Without a month the page shows each
 * tenant's open period instead (billing-overview.tsx).
 */

interface BillingPageProps {
  month: string;
  previous: string;
  next: string;
  error?: string | undefined;
  rows: BillingReportRow[];
  tenantNames: string[];
  origin: string;
}

export function BillingPage({ month, previous, next, error, rows, tenantNames, origin }: BillingPageProps) {
  const withoutFigures = tenantNames.filter((name) => !rows.some((row) => row.tenant_name === name));
  return (
    <>
      <BillingMonthForm month={month} previous={previous} next={next} error={error} />
      <dl class="card defs">
        <dt>Period</dt>
        <dd>
          the tenant's billing period that starts in the chosen month, anchored on its subscription term's start day
        </dd>
        <dt>MAU</dt>
        <dd>distinct human users with at least one interaction in the period (bots never count)</dd>
        <dt>TPR</dt>
        <dd>distinct resources present per reported hour, averaged per day, then over the period's days</dd>
        <dt>MWI</dt>
        <dd>
          distinct active bots, bot instances and SPIFFE IDs per reported hour, averaged per day, then over the period
        </dd>
        <dt>MAU by origin</dt>
        <dd>
          the same users by where their account comes from (local, SSO, Okta, SCIM, Entra ID), as logins report it
        </dd>
        <dt>Identity Security</dt>
        <dd>
          session summaries generated and their tokens, and audit log entries ingested: sums over the period; graph
          identities and resources: per reported hour, averaged per day, then over the period (like TPR)
        </dd>
        <dt>High-water mark</dt>
        <dd>
          the highest figure of the tenant's periods so far in its current term; a period is final (never recomputed)
          once its grace days have passed, and later reports are counted as late
        </dd>
      </dl>
      {tenantNames.length === 0 ? (
        <EmptyState>
          <h2>No tenants yet</h2>
          <p>Create a paying tenant and a token for its servers:</p>
          <pre>{`npm run tenant -- create acme --url ${origin}\nnpm run tenant -- token acme --url ${origin}`}</pre>
          <p>
            Its servers then send usage reports to <code>POST /v1/usage</code> with that token (docs/BILLING.md).
          </p>
        </EmptyState>
      ) : rows.length === 0 ? (
        <EmptyState>
          <h2>{`No billing figures for ${month}`}</h2>
          <p>
            Figures are computed by the hourly cron from the usage reports tenants' servers send to{" "}
            <code>POST /v1/usage</code>. Locally, run the cron now with:
          </p>
          <pre>{`curl "${origin}/cdn-cgi/handler/scheduled?cron=17+*+*+*+*"`}</pre>
        </EmptyState>
      ) : (
        <>
          <Table
            id="billing-table"
            caption={`Billing figures for ${month}`}
            rows={rows}
            columns={[
              {
                header: "Tenant",
                rowHeader: true,
                cell: (row) => <a href={tenantHref(row.tenant_name, row.month)}>{row.tenant_name}</a>,
              },
              ...FIGURES.flatMap((f): Column<BillingReportRow>[] => [
                { header: f.name, numeric: true, cell: (row) => row[f.key] },
                { header: `${f.name} high-water`, numeric: true, cell: (row) => row[`${f.key}_high_water`] },
              ]),
              { header: "Final", cell: (row) => (row.final ? <span class="ok">final</span> : <span>open</span>) },
              {
                header: "Computed at (UTC)",
                cell: (row) => new Date(row.computed_at).toISOString().slice(0, 16).replace("T", " "),
              },
              { header: "Period", cell: (row) => `${row.period_start} → ${row.period_end}` },
            ]}
          />
          <Table
            id="origin-table"
            caption={`MAU by user origin for ${month}`}
            rows={rows}
            columns={[
              { header: "Tenant", rowHeader: true, cell: (row) => row.tenant_name },
              ...USER_ORIGINS.map(
                (origin): Column<BillingReportRow> => ({
                  header: origin,
                  numeric: true,
                  cell: (row) => originCounts(row)[origin] ?? 0,
                }),
              ),
            ]}
          />
          <Table
            id="identity-security-table"
            caption={`Identity Security for ${month}`}
            rows={rows}
            columns={[
              { header: "Tenant", rowHeader: true, cell: (row) => row.tenant_name },
              { header: "Summaries", numeric: true, cell: (row) => row.summaries_generated },
              { header: "Input tokens", numeric: true, cell: (row) => row.summary_input_tokens },
              { header: "Output tokens", numeric: true, cell: (row) => row.summary_output_tokens },
              { header: "Graph identities", numeric: true, cell: (row) => row.graph_identities },
              { header: "Graph resources", numeric: true, cell: (row) => row.graph_resources },
              { header: "Audit log entries", numeric: true, cell: (row) => row.audit_logs_ingested },
              { header: "By provider", cell: (row) => providers(row) },
            ]}
          />
          <div class="grid">
            {FIGURES.map((f) => (
              <HorizontalBars
                id={`${f.key}-chart`}
                title={f.title}
                note="The black line is the high-water mark."
                unit={f.unit}
                rows={rows.map((row) => ({
                  label: row.tenant_name,
                  value: row[f.key],
                  mark: {
                    value: row[`${f.key}_high_water`],
                    title: `${row.tenant_name} ${f.name} high-water mark: ${formatNumber(row[`${f.key}_high_water`])}`,
                  },
                }))}
              />
            ))}
          </div>
        </>
      )}
      {withoutFigures.length > 0 && rows.length > 0 ? (
        <p class="muted">
          {`No period starting in ${month} has figures for ${withoutFigures.join(", ")}: a tenant's periods start on its term's anchor day; its open period is on `}
          <a href="/dashboard/billing">Open periods</a>.
        </p>
      ) : null}
    </>
  );
}

function originCounts(row: BillingReportRow): Record<string, number> {
  return JSON.parse(row.mau_by_origin) as Record<string, number>;
}

/** "aws: 120 identities, 40 resources, 9000 log entries; …", providers in name order. */
function providers(row: BillingReportRow): string {
  const byProvider = JSON.parse(row.identity_security_by_provider) as Record<
    string,
    { identities: number; resources: number; logs_ingested: number }
  >;
  const parts = Object.keys(byProvider)
    .sort()
    .map((name) => {
      const p = byProvider[name] as { identities: number; resources: number; logs_ingested: number };
      return `${name}: ${formatNumber(p.identities)} identities, ${formatNumber(p.resources)} resources, ${formatNumber(p.logs_ingested)} log entries`;
    });
  return parts.length > 0 ? parts.join("; ") : "—";
}
