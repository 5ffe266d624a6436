import type { Breakdown } from "../../stats/breakdown";
import type { EventStats } from "../../stats/queries";
import { HorizontalBars, StackedBars } from "../charts";
import { firstEventCommand } from "../first-event";
import { EmptyState } from "../layout";
import { RangeForm } from "../range-form";
import { APP_NAMES, type Buckets, meanPerBucket, type Range, stackedSeries, sumPerBucket, topCells } from "../series";
import { Table } from "../table";
import { Totals } from "../totals";

/** The Events page: per app, events per day by name, active installs per day, installs by version, OS and country. */

/** Values shown per breakdown; the smaller ones join (other) (the stats API lists them all). */
const MAX_BREAKDOWN_ROWS = 10;

interface EventsPageProps {
  range: Range;
  error?: string | undefined;
  stats: EventStats;
  breakdown: Breakdown;
  buckets: Buckets;
  origin: string;
}

export function EventsPage({ range, error, stats, breakdown, buckets, origin }: EventsPageProps) {
  const { series, totals } = stackedSeries(
    stats.days.map((day) => day.events),
    buckets,
    "other events",
  );
  const eventTotal = [...totals.values()].reduce((a, b) => a + b, 0);
  const installs = meanPerBucket(
    stats.days.map((day) => day.active_installs),
    buckets,
  );
  const weekly = buckets.unit === "week";
  const per = weekly ? "per week" : "per day";
  const sumOf = (counts: Record<string, number>) => Object.values(counts).reduce((a, b) => a + b, 0);
  const eventsPer = sumPerBucket(
    stats.days.map((day) => sumOf(day.events)),
    buckets,
  );
  const rejectedPer = sumPerBucket(
    stats.days.map((day) => sumOf(day.rejected)),
    buckets,
  );
  const rejected = rejectedPer.reduce((a, b) => a + b, 0);
  const hidden = `${breakdown.exact ? "" : "Estimates (±1.6 %): the range reaches days kept as sketches, where an install that changed version counts under each. "}Installs counted under the values of their last active day. Values with fewer than ${breakdown.min_installs} installs are merged into (other), so that none singles out an install, and so are all but the ${MAX_BREAKDOWN_ROWS} largest.`;
  return (
    <>
      <RangeForm action="/dashboard" apps={APP_NAMES} range={range} error={error} />
      <Totals
        figures={[
          { label: "Events", value: eventTotal, id: "total-events" },
          {
            label: "Distinct installs",
            value: stats.active_installs,
            id: "total-installs",
            approximate: !stats.active_installs_exact,
          },
          {
            label: "Rejected events",
            value: rejected,
            href: `/dashboard/drops?app=${encodeURIComponent(range.app)}&from=${range.from}&to=${range.to}`,
          },
        ]}
      />
      {eventTotal === 0 && stats.active_installs === 0 ? (
        <EmptyState>
          <h2>{`No events from ${range.app} between ${range.from} and ${range.to}`}</h2>
          <p>Send one (events appear within seconds, once the queue consumer has stored them):</p>
          <pre id="first-event">{firstEventCommand(origin, range.app)}</pre>
          <p>
            Events the collector refused are counted under <a href="/dashboard/drops">Visible drops</a>; what may be
            sent is listed in the <a href="/dashboard/catalogue">catalogue</a>.
          </p>
        </EmptyState>
      ) : (
        <>
          <StackedBars
            id="events-chart"
            title={`Events ${per}, by event`}
            labels={buckets.labels}
            series={series}
            unit="events"
            named
          />
          <StackedBars
            id="installs-chart"
            title={weekly ? "Active installs per day, averaged per week" : "Active installs per day"}
            labels={buckets.labels}
            series={[{ name: "active installs", values: installs }]}
            unit="active installs"
          />
          <div class="grid">
            {(["app_version", "os", "country"] as const).map((dimension) => (
              <HorizontalBars
                id={`by-${dimension.replace("_", "-")}`}
                title={
                  { app_version: "Installs by app version", os: "Installs by OS", country: "Installs by country" }[
                    dimension
                  ]
                }
                rows={topCells(breakdown[dimension], MAX_BREAKDOWN_ROWS).map((cell) => ({
                  label: cell.value,
                  value: cell.installs,
                }))}
                unit="installs"
              />
            ))}
          </div>
          <p class="muted">{hidden}</p>
          <Table
            caption="Events by name"
            rows={[...totals]}
            columns={[
              { header: "Event", rowHeader: true, cell: ([name]) => name },
              { header: "Events", numeric: true, cell: ([, n]) => n },
            ]}
          />
          <details>
            <summary>{weekly ? "Week by week" : "Day by day"}</summary>
            <Table
              caption={`Events, active installs and rejected events ${per}`}
              rows={buckets.labels.map((label, i) => ({
                label,
                events: eventsPer[i] ?? 0,
                installs: installs[i] ?? 0,
                rejected: rejectedPer[i] ?? 0,
              }))}
              columns={[
                { header: weekly ? "Week from" : "Day", rowHeader: true, cell: (row) => row.label },
                { header: "Events", numeric: true, cell: (row) => row.events },
                {
                  header: weekly ? "Active installs (daily mean)" : "Active installs",
                  numeric: true,
                  cell: (row) => row.installs,
                },
                { header: "Rejected", numeric: true, cell: (row) => row.rejected },
              ]}
            />
          </details>
        </>
      )}
    </>
  );
}
