import type { Contract } from "../../billing/contracts";
import type { TenantPeriods } from "../../billing/overview";
import type { BillingReportRow } from "../../billing/queries";
import type { TenantReporting } from "../../billing/reporting";
import type { TenantListing } from "../../tenants/admin";
import { formatNumber, HorizontalBars } from "../charts";
import { EmptyState } from "../layout";
import { type Column, Table } from "../table";
import { BillingMonthForm, FIGURES, tenantHref, utc } from "./billing-parts";

/**
 * The Tenants and billing page as it opens: each tenant's open period (the one holding today on
 * its own anchor day) and its last closed one, its figures against its contract as bars with the
 * high-water marks, the silent reporters, and every tenant with its contract and tokens (issued
 * and revoked with `npm run tenant`). Each tenant and period links to its page, where the
 * day-by-day series, the history and the export are.
 */

interface OverviewProps {
  month: string;
  previous: string;
  next: string;
  periods: TenantPeriods[];
  contracts: Map<string, Contract>;
  tenants: TenantListing[];
  reporting: TenantReporting[];
  silenceHours: number;
  origin: string;
}

type PeriodLine = { tenant: string; period: string; month: string; row: BillingReportRow | null; state: string };

function periodColumns(): Column<PeriodLine>[] {
  const figure = (pick: (row: BillingReportRow) => number) => (line: PeriodLine) => (line.row ? pick(line.row) : "–");
  return [
    { header: "Tenant", rowHeader: true, cell: (line) => <a href={tenantHref(line.tenant)}>{line.tenant}</a> },
    { header: "Period", cell: (line) => <a href={tenantHref(line.tenant, line.month)}>{line.period}</a> },
    { header: "State", cell: (line) => line.state },
    ...FIGURES.flatMap((f): Column<PeriodLine>[] => [
      { header: f.name, numeric: true, cell: figure((row) => row[f.key]) },
      { header: `${f.name} high-water`, numeric: true, cell: figure((row) => row[`${f.key}_high_water`]) },
    ]),
    {
      header: "Computed at (UTC)",
      cell: (line) => (line.row ? utc(line.row.computed_at) : "not yet: the cron runs hourly"),
    },
  ];
}

export function BillingOverview(props: OverviewProps) {
  const { periods, contracts, tenants, reporting, silenceHours, origin } = props;
  if (tenants.length === 0) {
    return (
      <>
        <BillingMonthForm month={props.month} previous={props.previous} next={props.next} />
        <EmptyState>
          <h2>No tenants yet</h2>
          <p>Create a paying tenant, its contract and a token for its servers:</p>
          <pre>{`npm run tenant -- create acme --url ${origin}\nnpm run tenant -- contract acme --plan enterprise --mau 500 --url ${origin}\nnpm run tenant -- token acme --url ${origin}`}</pre>
        </EmptyState>
      </>
    );
  }
  const open: PeriodLine[] = periods.map((p) => ({
    tenant: p.tenant.name,
    period: `${p.current.start} → ${p.current.end}`,
    month: p.current.month,
    row: p.open,
    state: "open",
  }));
  const closed: PeriodLine[] = periods.flatMap((p) =>
    p.lastClosed
      ? [
          {
            tenant: p.tenant.name,
            period: `${p.lastClosed.period_start} → ${p.lastClosed.period_end}`,
            month: p.lastClosed.month,
            row: p.lastClosed,
            state: p.lastClosed.final ? "final" : "closing",
          },
        ]
      : [],
  );
  const silent = reporting.flatMap((t) => [
    ...(t.silent ? [{ tenant: t.tenant_name, cluster: "(every cluster)", last: t.last_report_at }] : []),
    ...t.clusters
      .filter((c) => c.silent)
      .map((c) => ({ tenant: t.tenant_name, cluster: c.cluster_name, last: c.last_report_at })),
  ]);
  return (
    <>
      <BillingMonthForm month={props.month} previous={props.previous} next={props.next} />
      {silent.length > 0 ? (
        <section class="card alert" aria-labelledby="silent-heading">
          <h2 id="silent-heading">{`Silent reporters: no report for more than ${silenceHours} hours`}</h2>
          <Table
            id="silent"
            rows={silent}
            columns={[
              { header: "Tenant", rowHeader: true, cell: (s) => <a href={tenantHref(s.tenant)}>{s.tenant}</a> },
              { header: "Cluster (digest)", cell: (s) => <code>{s.cluster}</code> },
              { header: "Last reported hour (UTC)", cell: (s) => (s.last === null ? "never" : utc(s.last)) },
            ]}
          />
        </section>
      ) : null}
      <Table
        id="open-periods"
        caption="Open periods: each tenant's period holding today"
        rows={open}
        columns={periodColumns()}
      />
      <div class="grid">
        {FIGURES.map((f) => (
          <HorizontalBars
            id={`${f.key}-contract-chart`}
            title={`${f.name} of the open period against the contract`}
            note="The dashed red line is the contracted quantity, the black line the high-water mark."
            unit={f.unit}
            rows={periods.map((p) => {
              const value = p.open?.[f.key] ?? 0;
              const contracted = contracts.get(p.tenant.id)?.quantities[f.key] ?? null;
              const share =
                contracted === null
                  ? ""
                  : ` (${formatNumber((value / contracted) * 100)} % of ${formatNumber(contracted)})`;
              return {
                label: p.tenant.name,
                value,
                mark: p.open
                  ? {
                      value: p.open[`${f.key}_high_water`],
                      title: `${p.tenant.name} ${f.name} high-water mark: ${formatNumber(p.open[`${f.key}_high_water`])}`,
                    }
                  : undefined,
                limit:
                  contracted === null
                    ? undefined
                    : {
                        value: contracted,
                        title: `${p.tenant.name} ${f.name} contracted: ${formatNumber(contracted)}${share}`,
                      },
              };
            })}
          />
        ))}
      </div>
      <Table
        id="closed-periods"
        caption="Last closed periods"
        rows={closed}
        columns={periodColumns()}
        empty={<p>No period is closed yet: a period closes once it has ended and its grace days have passed.</p>}
      />
      <Table
        id="tenants"
        caption="Tenants, contracts and tokens (issue and revoke tokens with npm run tenant)"
        rows={tenants}
        columns={[
          { header: "Tenant", rowHeader: true, cell: (t) => <a href={tenantHref(t.name)}>{t.name}</a> },
          { header: "Id", cell: (t) => <code>{t.id}</code> },
          { header: "Plan", cell: (t) => t.plan + (t.disabled ? " (disabled)" : "") },
          { header: "Term", cell: (t) => `from ${t.term_start}, ${t.term_months} months` },
          { header: "Reporting", cell: (t) => (contracts.get(t.id)?.reporting_required ? "required" : "optional") },
          {
            header: "Contracted MAU / TPR / MWI",
            cell: (t) => FIGURES.map((f) => contracts.get(t.id)?.quantities[f.key] ?? "–").join(" / "),
          },
          {
            header: "Tokens",
            cell: (t) =>
              t.tokens.length === 0 ? "none" : t.tokens.map((token) => `${token.prefix}… ${token.state}`).join(", "),
          },
        ]}
      />
    </>
  );
}
