import type { Breakdown } from "../../stats/breakdown";
import type { EventStats } from "../../stats/queries";
import { formatNumber, HorizontalBars, StackedBars } from "../charts";
import { firstEventCommand } from "../first-event";
import { EmptyState } from "../layout";
import { RangeForm } from "../range-form";
import { APP_NAMES, type Buckets, meanPerBucket, type Range, stackedSeries, sumPerBucket, topCells } from "../series";

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
  const hidden = `Installs counted under the values of their last active day. Values with fewer than ${breakdown.min_installs} installs are merged into (other), so that none singles out an install, and so are all but the ${MAX_BREAKDOWN_ROWS} largest.`;
  return (
    <>
      <RangeForm action="/dashboard" apps={APP_NAMES} range={range} error={error} />
      <dl class="totals">
        <div>
          <dt>Events</dt>
          <dd id="total-events">{formatNumber(eventTotal)}</dd>
        </div>
        <div>
          <dt>Distinct installs</dt>
          <dd id="total-installs">{formatNumber(stats.active_installs)}</dd>
        </div>
        <div>
          <dt>Rejected events</dt>
          <dd>
            <a href={`/dashboard/drops?app=${encodeURIComponent(range.app)}&from=${range.from}&to=${range.to}`}>
              {formatNumber(rejected)}
            </a>
          </dd>
        </div>
      </dl>
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
          <div class="scroll">
            <table>
              <caption>Events by name</caption>
              <thead>
                <tr>
                  <th scope="col">Event</th>
                  <th scope="col" class="n">
                    Events
                  </th>
                </tr>
              </thead>
              <tbody>
                {[...totals].map(([name, n]) => (
                  <tr>
                    <th scope="row">{name}</th>
                    <td class="n">{formatNumber(n)}</td>
                  </tr>
                ))}
              </tbody>
            </table>
          </div>
          <details>
            <summary>{weekly ? "Week by week" : "Day by day"}</summary>
            <div class="scroll">
              <table>
                <caption>{`Events, active installs and rejected events ${per}`}</caption>
                <thead>
                  <tr>
                    <th scope="col">{weekly ? "Week from" : "Day"}</th>
                    <th scope="col" class="n">
                      Events
                    </th>
                    <th scope="col" class="n">
                      {weekly ? "Active installs (daily mean)" : "Active installs"}
                    </th>
                    <th scope="col" class="n">
                      Rejected
                    </th>
                  </tr>
                </thead>
                <tbody>
                  {buckets.labels.map((label, i) => (
                    <tr>
                      <th scope="row">{label}</th>
                      <td class="n">{formatNumber(eventsPer[i] ?? 0)}</td>
                      <td class="n">{formatNumber(installs[i] ?? 0)}</td>
                      <td class="n">{formatNumber(rejectedPer[i] ?? 0)}</td>
                    </tr>
                  ))}
                </tbody>
              </table>
            </div>
          </details>
        </>
      )}
    </>
  );
}
