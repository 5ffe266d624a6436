import { catalogue } from "../catalog/definition";
import { type AppFeatures, featuresOf } from "../catalog/feature-bits";
import { ApiError } from "../http/errors";

/**
 * What an insight may ask about, from the catalogue: its app, its events and the properties a
 * breakdown can split by. Anything else is refused with a clear 400 before a query runs, so
 * every name an answer carries is the catalogue's.
 */

export function appFeaturesOf(app: string): AppFeatures {
  const features = featuresOf(app);
  if (!features) throw new ApiError("unknown_app", `the catalogue has no app "${app}"`);
  return features;
}

/** The bit of an event of the app. */
export function eventBitOf(app: string, event: string): number {
  const bit = appFeaturesOf(app).events.get(event)?.bit;
  if (bit !== undefined) return bit;
  if (catalogue.events[event]?.apps.includes(app)) {
    throw new ApiError(
      "invalid_query",
      `"${event}" is not tracked per install: the app declares more events than an install-day row holds (src/catalog/feature-bits.ts)`,
    );
  }
  throw new ApiError("invalid_query", `the app "${app}" sends no event "${event}"`);
}

/** How a breakdown splits an event by a property. */
export type BreakdownSource =
  /** An enum or bool property: events from daily_property_counts, installs by the values' bits. */
  | { kind: "values"; values: { value: string; bit: number }[] }
  /** The app's version or OS dimension: events from daily_event_counts, installs by the row's column. */
  | { kind: "dimension"; column: "app_version" | "os" };

export function breakdownSourceOf(app: string, event: string, property: string): BreakdownSource {
  eventBitOf(app, event);
  const dimensions = catalogue.apps[app]?.dimensions ?? {};
  if (dimensions.appVersion === property) return { kind: "dimension", column: "app_version" };
  if (dimensions.os === property) return { kind: "dimension", column: "os" };
  const bits = appFeaturesOf(app).events.get(event)?.properties.get(property);
  if (!bits) {
    throw new ApiError(
      "invalid_query",
      `"${property}" is not an enum or bool property of "${event}", nor the app's version or OS: it cannot be broken down`,
    );
  }
  return { kind: "values", values: [...bits].map(([value, bit]) => ({ value, bit })) };
}

/** SQL: the OR, over an install's rows, of its features' bits among `bits` (SQLite has no BIT_OR). */
export function featuresOr(bits: readonly number[]): string {
  if (bits.length === 0) return "0";
  return bits.map((bit) => `MAX(features & ${2 ** bit})`).join(" | ");
}
