/**
 * What the billing pages share: the figures they show, the month form, and the links to a
 * tenant's page (its periods, series, history and export).
 */

export const FIGURES = [
  { key: "mau", name: "MAU", title: "Monthly active users (MAU)", unit: "users" },
  { key: "tpr", name: "TPR", title: "Teleport Protected Resources (TPR)", unit: "resources" },
  { key: "mwi", name: "MWI", title: "Machine & Workload Identities (MWI)", unit: "identities" },
] as const;

/** A tenant's page, at a period (by the month it starts in) when given. */
export function tenantHref(tenant: string, month?: string): string {
  const query = new URLSearchParams({ tenant, ...(month ? { month } : {}) });
  return `/dashboard/billing/tenant?${query}`;
}

/** A time as the billing pages show it: `YYYY-MM-DD HH:MM` (UTC). */
export const utc = (ms: number) => new Date(ms).toISOString().slice(0, 16).replace("T", " ");

/** The form choosing a month of periods, with the previous and next months and the open periods. */
export function BillingMonthForm(props: { month: string; previous: string; next: string; error?: string | undefined }) {
  return (
    <form class="card" method="get" action="/dashboard/billing" aria-label="Choose the month">
      {props.error ? (
        <p class="bad" role="alert">
          {`That month cannot be shown (${props.error}); showing the current month instead.`}
        </p>
      ) : null}
      <div class="filters">
        <label>
          Periods starting in (UTC)
          <input type="month" name="month" value={props.month} required pattern="\d{4}-\d{2}" />
        </label>
        <button class="primary" type="submit">
          Show
        </button>
        <a href={`/dashboard/billing?month=${props.previous}`}>{`← ${props.previous}`}</a>
        <a href={`/dashboard/billing?month=${props.next}`}>{`${props.next} →`}</a>
        <a href="/dashboard/billing">Open periods</a>
        <a id="csv" href={`/dashboard/billing.csv?month=${props.month}`} download>
          {`Download ${props.month} as CSV`}
        </a>
      </div>
    </form>
  );
}
