import type { AdoptionAnswer, BreakdownAnswer, FunnelAnswer, RetentionAnswer } from "../../insights/answers";
import type { CountCell } from "../../lib/small-groups";
import { formatNumber, HorizontalBars } from "../charts";
import { Table } from "../table";

/**
 * The Insights page's four answers as the API gives them: the breakdown (chart and table, the
 * previous period beside it), adoption, the retention triangle (cells shaded by the share of
 * their cohort retained) and the funnel (bars, and each step's conversion from the one before).
 * Hidden cells (`< k`, `> n`) are shown as the API wrote them.
 */

const shown = (cell: CountCell | null | undefined): string =>
  cell === null || cell === undefined ? "—" : typeof cell === "number" ? formatNumber(cell) : cell;
const numeric = (cell: CountCell | null | undefined): number => (typeof cell === "number" ? cell : 0);
const percent = (share: number | null) => (share === null ? "—" : `${formatNumber(Math.round(share * 1000) / 10)} %`);

/** The shade of a retention cell: ten steps of the share of its cohort. */
const shade = (cell: CountCell, cohort: CountCell) => {
  if (typeof cell !== "number" || typeof cohort !== "number" || cohort === 0) return "h0";
  return `h${Math.min(9, Math.floor((cell / cohort) * 10))}`;
};

export function BreakdownSection({ answer }: { answer: BreakdownAnswer }) {
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

export function AdoptionSection({ answer }: { answer: AdoptionAnswer }) {
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

export function RetentionSection({ answer }: { answer: RetentionAnswer }) {
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

export function FunnelSection({ answer }: { answer: FunnelAnswer }) {
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
