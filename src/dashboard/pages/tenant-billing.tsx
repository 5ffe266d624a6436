import type { Contract } from "../../billing/contracts";
import type { billingDetail } from "../../billing/detail";
import type { History } from "../../billing/history";
import type { TenantReporting } from "../../billing/reporting";
import type { TenantListing } from "../../tenants/admin";
import { HorizontalBars } from "../charts";
import { type Column, Table } from "../table";
import { type Figure, Totals } from "../totals";
import { FIGURES, tenantHref, utc } from "./billing-parts";

/**
 * One tenant's billing page: a period's figures (the open one by default) and how they were
 * reached day by day, in total and per cluster (the detail endpoint's series), its figures over
 * the last 3, 6 or 12 periods as charts, its clusters' last reports, its contract and tokens,
 * and the period's export (the CSV a customer checks against its own clusters).
 */

type Detail = Awaited<ReturnType<typeof billingDetail>>;

interface TenantBillingProps {
  tenant: TenantListing;
  contract: Contract | undefined;
  month: string;
  months: number;
  history: History;
  detail: Detail;
  reporting: TenantReporting | undefined;
  silenceHours: number;
}

interface DayLine {
  day: string;
  users: number | null;
  cumulative: number | null;
  tpr: number | null;
  mwi: number | null;
}

function dayLines(detail: Detail): DayLine[] {
  const days = new Map<string, DayLine>();
  const line = (day: string) => {
    const existing = days.get(day) ?? { day, users: null, cumulative: null, tpr: null, mwi: null };
    days.set(day, existing);
    return existing;
  };
  for (const d of detail.total.mau_days) Object.assign(line(d.day), { users: d.users, cumulative: d.cumulative });
  for (const d of detail.total.tpr_days) line(d.day).tpr = Math.round(d.mean * 100) / 100;
  for (const d of detail.total.mwi_days) line(d.day).mwi = Math.round(d.mean * 100) / 100;
  return [...days.values()].sort((a, b) => a.day.localeCompare(b.day));
}

const orDash = (value: number | null) => value ?? "–";

export function TenantBilling(props: TenantBillingProps) {
  const { tenant, contract, month, months, history, detail, reporting, silenceHours } = props;
  const stored = detail.stored;
  const figures: Figure[] = FIGURES.map((f) => ({
    label: `${f.name}${stored ? "" : " (so far, not yet computed)"}`,
    value: stored ? stored[f.key] : detail.total[f.key],
    id: `figure-${f.key}`,
  }));
  const exportHref = `/dashboard/billing/export.csv?${new URLSearchParams({ tenant: tenant.name, month })}`;
  return (
    <>
      <p>
        {`Period ${detail.period_start} → ${detail.period_end} (${stored ? stored.state : "not computed yet"}), term ${detail.term_start} → ${detail.term_end}. `}
        <a href={tenantHref(tenant.name, history.current.month)}>Open period</a>
        {" · "}
        <a id="export" href={exportHref} download>
          {`Download the ${month} evidence as CSV`}
        </a>
      </p>
      <Totals figures={figures} />
      <Table
        id="detail-days"
        caption={`Day by day, ${detail.period_start} → ${detail.period_end}: the figures are the last cumulative users and the means of the daily means`}
        rows={dayLines(detail)}
        empty={<p>No usage report for this period yet.</p>}
        columns={[
          { header: "Day", rowHeader: true, cell: (d) => d.day },
          { header: "Active users", numeric: true, cell: (d) => orDash(d.users) },
          { header: "Cumulative users (MAU)", numeric: true, cell: (d) => orDash(d.cumulative) },
          { header: "TPR (day's mean)", numeric: true, cell: (d) => orDash(d.tpr) },
          { header: "MWI (day's mean)", numeric: true, cell: (d) => orDash(d.mwi) },
        ]}
      />
      <Table
        id="detail-clusters"
        caption="Per cluster (an identity seen in two clusters counts once in the total)"
        rows={detail.clusters}
        empty={<p>No cluster reported in this period.</p>}
        columns={[
          { header: "Cluster (digest)", rowHeader: true, cell: (c) => <code>{c.cluster_name}</code> },
          ...FIGURES.map(
            (f): Column<Detail["clusters"][number]> => ({ header: f.name, numeric: true, cell: (c) => c[f.key] }),
          ),
        ]}
      />
      <ul class="quick" aria-label="History length">
        {[3, 6, 12].map((n) => (
          <li>
            <a href={`${tenantHref(tenant.name, month)}&months=${n}`} aria-current={n === months ? "page" : undefined}>
              {`${n} months`}
            </a>
          </li>
        ))}
      </ul>
      <div class="grid">
        {FIGURES.map((f) => (
          <HorizontalBars
            id={`history-${f.key}`}
            title={`${f.name} per period, ${history.from} → ${history.to}`}
            note={contract?.quantities[f.key] ? "The dashed red line is the contracted quantity." : undefined}
            unit={f.unit}
            rows={history.rows.map((row) => {
              const contracted = contract?.quantities[f.key] ?? null;
              return {
                label: row.month,
                value: row[f.key],
                limit:
                  contracted === null
                    ? undefined
                    : { value: contracted, title: `${row.month} ${f.name} contracted: ${contracted}` },
              };
            })}
          />
        ))}
      </div>
      <Table
        id="history"
        caption={`Figures per period (highest: MAU ${history.peak.mau}, TPR ${history.peak.tpr}, MWI ${history.peak.mwi})`}
        rows={history.rows}
        empty={<p>No period computed in these months.</p>}
        columns={[
          {
            header: "Period",
            rowHeader: true,
            cell: (row) => <a href={tenantHref(tenant.name, row.month)}>{row.month}</a>,
          },
          { header: "State", cell: (row) => row.state },
          ...FIGURES.map(
            (f): Column<(typeof history.rows)[number]> => ({
              header: f.name,
              numeric: true,
              cell: (row) => row[f.key],
            }),
          ),
          { header: "Late reports", numeric: true, cell: (row) => row.late_reports },
        ]}
      />
      <Table
        id="tenant-reporting"
        caption={`Clusters' last reported hour (reporting ${contract?.reporting_required ? `required: silent after ${silenceHours} hours` : "optional"})`}
        rows={reporting?.clusters ?? []}
        empty={<p>No cluster has reported yet.</p>}
        columns={[
          { header: "Cluster (digest)", rowHeader: true, cell: (c) => <code>{c.cluster_name}</code> },
          { header: "Last report (UTC)", cell: (c) => utc(c.last_report_at) },
          {
            header: "By kind",
            cell: (c) =>
              Object.entries(c.kinds)
                .map(([kind, ms]) => `${kind} ${utc(ms)}`)
                .join(", "),
          },
          {
            header: "Status",
            cell: (c) => (c.silent ? <span class="bad">silent</span> : <span class="ok">reporting</span>),
          },
        ]}
      />
      <dl class="card defs">
        <dt>Plan</dt>
        <dd>{contract?.plan ?? tenant.plan}</dd>
        <dt>Contracted</dt>
        <dd>{FIGURES.map((f) => `${f.name} ${contract?.quantities[f.key] ?? "–"}`).join(", ")}</dd>
        <dt>Tokens</dt>
        <dd>{tenant.tokens.map((t) => `${t.prefix}… (${t.state})`).join(", ") || "none: npm run tenant -- token"}</dd>
      </dl>
    </>
  );
}
