import type { EventDatabases } from "../lib/event-databases";
import { type Adoption, readAdoption } from "./adoption";
import { type BreakdownPeriod, readInsightBreakdown } from "./breakdown";
import { type Funnel, readFunnel } from "./funnel";
import { previousRange, type Range, weekRange } from "./range";
import { type Cohort, readRetention } from "./retention";

/**
 * The insights answers as the API returns them and the dashboard shows them: the range widened
 * to whole weeks, the small-group rule applied (by the readers, through lib/small-groups.ts),
 * the previous period added when asked. The routes and the pages both call these.
 */

export interface Common {
  app: string;
  from: string;
  to: string;
  /** The smallest number of installs a published cell counts. */
  min_installs: number;
}

export interface BreakdownAnswer extends Common {
  event: string;
  property: string;
  values: BreakdownPeriod["values"];
  total: BreakdownPeriod["total"];
  exact: boolean;
  interval?: "day" | "week";
  series?: BreakdownPeriod[];
  previous?: { from: string; to: string; values: BreakdownPeriod["values"]; total: BreakdownPeriod["total"] };
}

export interface BreakdownParams {
  app: string;
  event: string;
  property: string;
  from: string;
  to: string;
  interval?: "day" | "week" | undefined;
  os?: string | undefined;
  app_version?: string | undefined;
  compare?: "previous" | undefined;
}

const common = (app: string, range: Range, min: number): Common => ({
  app,
  from: range.from,
  to: range.to,
  min_installs: min,
});

export async function breakdownAnswer(db: EventDatabases, q: BreakdownParams, min: number): Promise<BreakdownAnswer> {
  const range = weekRange(q.from, q.to);
  const base = { app: q.app, event: q.event, property: q.property, os: q.os, appVersion: q.app_version };
  const whole = await readInsightBreakdown(db, { ...base, range, periodDays: range.days }, min);
  const period = whole.periods[0] as BreakdownPeriod;
  const answer: BreakdownAnswer = {
    ...common(q.app, range, min),
    event: q.event,
    property: q.property,
    values: period.values,
    total: period.total,
    exact: whole.exact,
  };
  if (q.interval) {
    const series = await readInsightBreakdown(db, { ...base, range, periodDays: q.interval === "day" ? 1 : 7 }, min);
    answer.interval = q.interval;
    answer.series = series.periods;
    answer.exact &&= series.exact;
  }
  if (q.compare === "previous") {
    const before = previousRange(range);
    const previous = await readInsightBreakdown(db, { ...base, range: before, periodDays: before.days }, min);
    const p = previous.periods[0] as BreakdownPeriod;
    answer.previous = { from: before.from, to: before.to, values: p.values, total: p.total };
    answer.exact &&= previous.exact;
  }
  return answer;
}

export interface AdoptionAnswer extends Common, Adoption {
  previous?: { from: string; to: string } & Adoption;
}

export async function adoptionAnswer(
  db: EventDatabases,
  q: { app: string; from: string; to: string; compare?: "previous" | undefined },
  min: number,
): Promise<AdoptionAnswer> {
  const range = weekRange(q.from, q.to);
  const answer: AdoptionAnswer = { ...common(q.app, range, min), ...(await readAdoption(db, q.app, range, min)) };
  if (q.compare === "previous") {
    const before = previousRange(range);
    answer.previous = { from: before.from, to: before.to, ...(await readAdoption(db, q.app, before, min)) };
  }
  return answer;
}

export interface RetentionAnswer extends Common {
  period: "day" | "week";
  cohorts: Cohort[];
}

export async function retentionAnswer(
  db: EventDatabases,
  q: { app: string; from: string; to: string; period: "day" | "week" },
  min: number,
): Promise<RetentionAnswer> {
  const range = weekRange(q.from, q.to);
  const { cohorts } = await readRetention(db, q.app, range, q.period === "day" ? 1 : 7, min);
  return { ...common(q.app, range, min), period: q.period, cohorts };
}

export interface FunnelAnswer extends Common, Funnel {}

export async function funnelAnswer(
  db: EventDatabases,
  q: {
    app: string;
    from: string;
    to: string;
    steps: string[];
    window_days: number;
    by?: "os" | "app_version" | undefined;
  },
  min: number,
): Promise<FunnelAnswer> {
  const range = weekRange(q.from, q.to);
  return { ...common(q.app, range, min), ...(await readFunnel(db, q.app, range, q.steps, q.window_days, q.by, min)) };
}
