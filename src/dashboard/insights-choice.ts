import { catalogue } from "../catalog/definition";
import { featuresOf } from "../catalog/feature-bits";
import { ApiError } from "../http/errors";
import type { InsightsChoice, Section } from "./pages/insights";
import type { Range } from "./series";

/**
 * What the Insights page shows, from its query string: the range (series.ts), the event and
 * property of the breakdown (defaults: the app's first event with a property to split by), the
 * filters, the comparison, the funnel's steps and window, the retention period. Each section's
 * answer is asked for on its own, so one the range cannot give says why and the others show.
 */

export function insightsChoiceOf(query: Record<string, string>, range: Range) {
  const app = featuresOf(range.app);
  const events = [...(app?.events.keys() ?? [])];
  const splittable = (event: string) => [
    ...Object.values(catalogue.apps[range.app]?.dimensions ?? {}),
    ...(app?.events.get(event)?.properties.keys() ?? []),
  ];
  const event =
    query.event && events.includes(query.event)
      ? query.event
      : (events.find((e) => (app?.events.get(e)?.properties.size ?? 0) > 1) ?? events[0] ?? "");
  const properties = splittable(event);
  const property = query.property && properties.includes(query.property) ? query.property : (properties.at(-1) ?? "");
  const steps = (query.steps || events.slice(0, 3).join(","))
    .split(",")
    .map((step) => step.trim())
    .filter(Boolean);
  const windowDays = Number(query.window_days);
  const choice: InsightsChoice = {
    ...range,
    event,
    property,
    os: query.os ?? "",
    app_version: query.app_version ?? "",
    compare: query.compare === "previous",
    steps,
    window_days: Number.isInteger(windowDays) && windowDays >= 1 && windowDays <= 366 ? windowDays : 7,
    period: query.period === "day" ? "day" : "week",
  };
  return { choice, events, properties };
}

/** A section's answer, or the message of the 400 the API would have answered. */
export async function sectionOf<T>(answer: () => Promise<T>): Promise<Section<T>> {
  try {
    return { answer: await answer() };
  } catch (err) {
    if (err instanceof ApiError && err.status === 400) return { problem: err.message };
    throw err;
  }
}
