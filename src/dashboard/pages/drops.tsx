import type { EventStats } from "../../stats/queries";
import { StackedBars } from "../charts";
import { EmptyState } from "../layout";
import { RangeForm } from "../range-form";
import { APP_NAMES, type Buckets, type Range, stackedSeries } from "../series";
import { Table } from "../table";
import { Totals } from "../totals";

/** The Visible drops page: where clients misbehave. Rejections by code, and undeclared properties dropped. */

/** Client-chosen names: list the most frequent, so a noisy client cannot make the page heavy. */
const MAX_DROPPED_ROWS = 100;

interface DropsPageProps {
  range: Range;
  error?: string | undefined;
  stats: EventStats;
  buckets: Buckets;
}

export function DropsPage({ range, error, stats, buckets }: DropsPageProps) {
  const { series, totals } = stackedSeries(
    stats.days.map((day) => day.rejected),
    buckets,
    "other codes",
  );
  const rejected = [...totals.values()].reduce((a, b) => a + b, 0);
  const dropped = Object.entries(stats.dropped_properties)
    .flatMap(([event, names]) => Object.entries(names).map(([property, n]) => ({ event, property, n })))
    .sort((a, b) => b.n - a.n || a.event.localeCompare(b.event) || a.property.localeCompare(b.property));
  const droppedTotal = dropped.reduce((n, row) => n + row.n, 0);
  const listed = dropped.slice(0, MAX_DROPPED_ROWS);
  return (
    <>
      <RangeForm action="/dashboard/drops" apps={APP_NAMES} range={range} error={error} />
      <p class="muted">
        Rejected events were refused one by one (the rest of their batch was kept); dropped properties were not declared
        in the catalogue, so they were removed from events that were kept. Both are counted on the day they were
        received.
      </p>
      <Totals
        figures={[
          { label: "Rejected events", value: rejected, id: "total-rejected" },
          { label: "Dropped properties", value: droppedTotal, id: "total-dropped" },
        ]}
      />
      {rejected === 0 ? (
        <EmptyState>
          <h2>{`No rejected events from ${range.app} between ${range.from} and ${range.to}`}</h2>
          <p>
            Every event received in this range matched the <a href="/dashboard/catalogue">catalogue</a>. A client that
            sends a plain value where a digest belongs, an undeclared event or a malformed uuid shows up here, by error
            code (each one explained in the <a href="/docs#error-codes">API reference</a>).
          </p>
        </EmptyState>
      ) : (
        <>
          <StackedBars
            id="rejections-chart"
            title={`Rejected events ${buckets.unit === "day" ? "per day" : "per week"}, by error code`}
            labels={buckets.labels}
            series={series}
            unit="rejected events"
            named
          />
          <Table
            caption="Rejected events by error code"
            rows={[...totals]}
            columns={[
              { header: "Error code", rowHeader: true, cell: ([code]) => <code>{code}</code> },
              { header: "Events", numeric: true, cell: ([, n]) => n },
            ]}
          />
        </>
      )}
      <h2>Unknown events</h2>
      <Table
        id="unknown-events"
        caption="Events refused as unknown_event, by name (a name the catalogue declares, for another app or with a tenant token only; any other name as (other))"
        rows={Object.entries(stats.unknown_events).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]))}
        columns={[
          { header: "Event", rowHeader: true, cell: ([name]) => <code>{name}</code> },
          { header: "Refused", numeric: true, cell: ([, n]) => n },
        ]}
        empty={
          <p>
            No event was refused as unknown in this range. A name the catalogue does not declare at all is counted as
            (other), never as sent: a client chooses it, and it could spell an identifier.
          </p>
        }
      />
      <h2>Dropped properties</h2>
      <Table
        id="dropped-properties"
        caption="Undeclared properties dropped, by event"
        rows={listed}
        columns={[
          { header: "Event", cell: (row) => <code>{row.event}</code> },
          { header: "Property", cell: (row) => <code>{row.property}</code> },
          { header: "Times dropped", numeric: true, cell: (row) => row.n },
        ]}
        empty={
          <p>
            No undeclared property was dropped in this range. A client that adds a property the catalogue does not
            declare shows up here: declare it in <code>src/catalog/definition.ts</code> with a privacy class, or stop
            sending it.
          </p>
        }
      />
      {dropped.length > listed.length ? (
        <p class="muted">{`${dropped.length - listed.length} rarer ones not listed (GET /v1/stats/events has them all).`}</p>
      ) : null}
    </>
  );
}
