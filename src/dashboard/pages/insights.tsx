import type { AdoptionAnswer, BreakdownAnswer, FunnelAnswer, RetentionAnswer } from "../../insights/answers";
import { EmptyState } from "../layout";
import { AdoptionSection, BreakdownSection, FunnelSection, RetentionSection } from "./insights-sections";

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
        {"answer" in breakdown ? (
          <BreakdownSection answer={breakdown.answer} />
        ) : (
          <Problem problem={breakdown.problem} />
        )}
      </section>
      <section aria-labelledby="h-adoption">
        <h2 id="h-adoption">Adoption</h2>
        {"answer" in adoption ? <AdoptionSection answer={adoption.answer} /> : <Problem problem={adoption.problem} />}
      </section>
      <section aria-labelledby="h-retention">
        <h2 id="h-retention">Retention</h2>
        {"answer" in retention ? (
          retention.answer.cohorts.length === 0 ? (
            <EmptyState>No cohort in this range.</EmptyState>
          ) : (
            <RetentionSection answer={retention.answer} />
          )
        ) : (
          <Problem problem={retention.problem} />
        )}
      </section>
      <section aria-labelledby="h-funnel">
        <h2 id="h-funnel">Funnel</h2>
        {"answer" in funnel ? <FunnelSection answer={funnel.answer} /> : <Problem problem={funnel.problem} />}
      </section>
    </>
  );
}
