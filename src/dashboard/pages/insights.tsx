import type { AdoptionAnswer, BreakdownAnswer, FunnelAnswer, RetentionAnswer } from "../../insights/answers";
import type { CountCell } from "../../lib/small-groups";
import { formatNumber, HorizontalBars } from "../charts";
import { EmptyState } from "../layout";
import { Table } from "../table";

/**
 * The Insights page: a breakdown of any event by any of its properties (chart and table, with
 * the previous period beside it), adoption of every event, the retention triangle (cells shaded
 * by the share retained) and the funnel (bars, and each step's conversion from the one before),
 * all filtered by OS and version where the API allows it, as the insights API answers them:
 * whole weeks, every small group hidden (`< 5`, `> n`, or merged into `(other)`). A section the
 * range cannot answer (retention and funnels need days still held per install) says why.
 */

export interface InsightsChoice {
  app: string;
  from: string;
  to: string;
  event: string;
  property: string;
  os: string;
  app_version: string;
  compare: boolean;
  steps: string[];
  window_days: number;
  period: "week" | "day";
}

/** An answer, or why the range cannot give it. */
export type Section<T> = { answer: T } | { problem: string };

export interface InsightsPageProps {
  choice: InsightsChoice;
  apps: readonly string[];
  events: readonly string[];
  properties: readonly string[];
  breakdown: Section<BreakdownAnswer>;
  adoption: Section<AdoptionAnswer>;
  retention: Section<RetentionAnswer>;
  funnel: Section<FunnelAnswer>;
}

const shown = (cell: CountCell | null | undefined): string =>
  cell === null || cell === undefined ? "—" : typeof cell === "number" ? formatNumber(cell) : cell;
const numeric = (cell: CountCell | null | undefined): number => (typeof cell === "number" ? cell : 0);
const percent = (share: number | null) => (share === null ? "—" : `${formatNumber(Math.round(share * 1000) / 10)} %`);

/** The shade of a retention cell: ten steps of the share of its cohort. */
const shade = (cell: CountCell, cohort: CountCell) => {
  if (typeof cell !== "number" || typeof cohort !== "number" || cohort === 0) return "h0";
  return `h${Math.min(9, Math.floor((cell / cohort) * 10))}`;
};

function Problem({ problem }: { problem: string }) {
  return (
    <p class="bad" role="alert">
      {problem}
    </p>
  );
}

function Form({
  choice,
  apps,
  events,
  properties,
}: Pick<InsightsPageProps, "choice" | "apps" | "events" | "properties">) {
  const select = (name: string, label: string, values: readonly string[], current: string, any?: string) => (
    <label>
      {label}
      <select name={name}>
        {any === undefined ? null : <option value="">{any}</option>}
        {values.map((value) => (
          <option value={value} selected={value === current}>
            {value}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <form class="card" method="get" action="/dashboard/insights" aria-label="Choose what to show">
      <div class="filters">
        {select("app", "App", apps, choice.app)}
        <label>
          From
          <input type="date" name="from" value={choice.from} required />
        </label>
        <label>
          To
          <input type="date" name="to" value={choice.to} required />
        </label>
        {select("event", "Event", events, choice.event)}
        {select("property", "Property", properties, choice.property)}
        {select("os", "OS", ["darwin", "linux", "win32"], choice.os, "any OS")}
        <label>
          App version
          <input name="app_version" value={choice.app_version} placeholder="any version" size={10} />
        </label>
        <label>
          <input type="checkbox" name="compare" value="previous" checked={choice.compare} />
          Previous period
        </label>
      </div>
      <div class="filters">
        <label>
          Funnel steps (2 to 5, comma-separated)
          <input name="steps" value={choice.steps.join(",")} size={70} />
        </label>
        <label>
          Window (days)
          <input type="number" name="window_days" value={String(choice.window_days)} min="1" max="366" />
        </label>
        {select("period", "Retention by", ["week", "day"], choice.period)}
        <button class="primary" type="submit">
          Show
        </button>
      </div>
    </form>
  );
}

function Breakdown({ answer }: { answer: BreakdownAnswer }) {
  const previous = new Map((answer.previous?.values ?? []).map((v) => [v.value, v]));
  return (
    <>
      <HorizontalBars
        id="breakdown-chart"
        title={`Installs that sent ${answer.event}, by ${answer.property}`}
        note={`${answer.from} to ${answer.to}${answer.exact ? "" : " (estimates, ±1.6 %)"}: ${shown(answer.total.installs)} installs, ${shown(answer.total.events)} events. Values under ${answer.min_installs} installs are merged into (other).`}
        rows={answer.values.map((v) => ({ label: v.value, value: v.installs }))}
        unit="installs"
      />
      <Table
        id="breakdown-table"
        caption={`${answer.event} by ${answer.property}`}
        rows={answer.values}
        empty={<p>{`No value of ${answer.property} counts ${answer.min_installs} installs or more in this range.`}</p>}
        columns={[
          { header: "Value", rowHeader: true, cell: (v) => v.value },
          { header: "Installs", numeric: true, cell: (v) => v.installs },
          { header: "Events", numeric: true, cell: (v) => shown(v.events) },
          ...(answer.previous
            ? [
                {
                  header: "Installs, previous period",
                  numeric: true,
                  cell: (v: { value: string }) => shown(previous.get(v.value)?.installs),
                },
                {
                  header: "Events, previous period",
                  numeric: true,
                  cell: (v: { value: string }) => shown(previous.get(v.value)?.events),
                },
              ]
            : []),
        ]}
      />
    </>
  );
}

function Adoption({ answer }: { answer: AdoptionAnswer }) {
  const previous = new Map((answer.previous?.events ?? []).map((e) => [e.event, e]));
  return (
    <Table
      id="adoption-table"
      caption={`Adoption: installs that sent each event, of ${shown(answer.active_installs)} active installs${answer.exact ? "" : " (estimates)"}`}
      rows={answer.events}
      columns={[
        { header: "Event", rowHeader: true, cell: (e) => e.event },
        { header: "Installs", numeric: true, cell: (e) => shown(e.installs) },
        { header: "Share", numeric: true, cell: (e) => percent(e.share) },
        ...(answer.previous
          ? [
              {
                header: "Installs, previous period",
                numeric: true,
                cell: (e: { event: string }) => shown(previous.get(e.event)?.installs),
              },
              {
                header: "Share, previous period",
                numeric: true,
                cell: (e: { event: string }) => percent(previous.get(e.event)?.share ?? null),
              },
            ]
          : []),
      ]}
    />
  );
}

function Retention({ answer }: { answer: RetentionAnswer }) {
  const periods = answer.cohorts.length;
  const unit = answer.period === "week" ? "Week" : "Day";
  return (
    <div class="scroll">
      <table id="retention-table" class="triangle">
        <caption>{`Retention: installs first active in each ${answer.period}, and how many were active in each later one`}</caption>
        <thead>
          <tr>
            <th scope="col">Cohort</th>
            <th scope="col" class="n">
              Installs
            </th>
            {Array.from({ length: periods }, (_, k) => (
              <th scope="col" class="n">{`${unit} ${k}`}</th>
            ))}
          </tr>
        </thead>
        <tbody>
          {answer.cohorts.map((cohort) => (
            <tr>
              <th scope="row">{cohort.start}</th>
              <td class="n">{shown(cohort.installs)}</td>
              {cohort.retained.map((cell) => (
                <td class={`n ${shade(cell, cohort.installs)}`}>{shown(cell)}</td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}

function Funnel({ answer }: { answer: FunnelAnswer }) {
  const rows = answer.steps.map((step, i) => {
    const before = i === 0 ? null : answer.steps[i - 1]?.installs;
    const conversion =
      i === 0 || typeof step.installs !== "number" || typeof before !== "number" || before === 0
        ? null
        : step.installs / before;
    return { ...step, n: i + 1, conversion };
  });
  return (
    <>
      <HorizontalBars
        id="funnel-chart"
        title={`Funnel: installs at each step within ${answer.window_days} days of the first`}
        note="Day granularity: steps on the same day count in any order. Steps under the minimum show < k."
        rows={rows.map((row) => ({ label: `${row.n}. ${row.event}`, value: numeric(row.installs) }))}
        unit="installs"
      />
      <Table
        id="funnel-table"
        caption="Funnel steps and conversion from the step before"
        rows={rows}
        columns={[
          { header: "Step", rowHeader: true, cell: (row) => `${row.n}. ${row.event}` },
          { header: "Installs", numeric: true, cell: (row) => shown(row.installs) },
          { header: "Conversion", numeric: true, cell: (row) => percent(row.conversion) },
        ]}
      />
    </>
  );
}

export function InsightsPage(props: InsightsPageProps) {
  const { breakdown, adoption, retention, funnel } = props;
  return (
    <>
      <Form choice={props.choice} apps={props.apps} events={props.events} properties={props.properties} />
      <p class="muted">
        Ranges are whole weeks, Monday to Sunday (the range asked for is widened). Every count of fewer installs than
        the minimum is hidden: merged into (other), or shown as &lt; k, or as &gt; n when the installs it leaves out are
        that few.
      </p>
      <section aria-labelledby="h-breakdown">
        <h2 id="h-breakdown">Breakdown</h2>
        {"answer" in breakdown ? <Breakdown answer={breakdown.answer} /> : <Problem problem={breakdown.problem} />}
      </section>
      <section aria-labelledby="h-adoption">
        <h2 id="h-adoption">Adoption</h2>
        {"answer" in adoption ? <Adoption answer={adoption.answer} /> : <Problem problem={adoption.problem} />}
      </section>
      <section aria-labelledby="h-retention">
        <h2 id="h-retention">Retention</h2>
        {"answer" in retention ? (
          retention.answer.cohorts.length === 0 ? (
            <EmptyState>No cohort in this range.</EmptyState>
          ) : (
            <Retention answer={retention.answer} />
          )
        ) : (
          <Problem problem={retention.problem} />
        )}
      </section>
      <section aria-labelledby="h-funnel">
        <h2 id="h-funnel">Funnel</h2>
        {"answer" in funnel ? <Funnel answer={funnel.answer} /> : <Problem problem={funnel.problem} />}
      </section>
    </>
  );
}
