import { catalogue } from "./definition";

/**
 * The features of an app, numbered: one bit per catalogue event the app may send, and one per
 * value of each of the event's own `enum` and `bool` properties (an enum's `other` included),
 * then one per value of the app's common `enum` properties that are not a dimension (`arch`).
 * An install-day row holds the OR of the bits of the events it sent that day (its `features`),
 * which is what adoption, retention, funnels and the installs of a breakdown count. Every name
 * here comes from the catalogue, so the bits spell nothing a client chose.
 *
 * The numbering follows the catalogue's order and is stored: a change that moves an existing
 * bit reinterprets stored rows, so new events and values go at the end of their lists and
 * test/catalog/feature-bits.test.ts pins the numbering. Bits 0–52 only (what a JavaScript number
 * read from D1 holds exactly); an app that needs more refuses to start.
 */

export const MAX_FEATURE_BITS = 53;

/** A feature: an event, or one value of one of its properties (or of a common property). */
export interface Feature {
  bit: number;
  event: string | null;
  property: string | null;
  value: string | null;
}

/** The bits an event of one app sets: its own, and one per tracked property's value. */
export interface EventFeatures {
  bit: number;
  /** Tracked properties (enum and bool) and each value's bit; bool values are "true" and "false". */
  properties: ReadonlyMap<string, ReadonlyMap<string, number>>;
}

export interface AppFeatures {
  features: readonly Feature[];
  events: ReadonlyMap<string, EventFeatures>;
}

function valuesOf(spec: { class: string; values?: readonly string[]; other?: string }): string[] | null {
  if (spec.class === "bool") return ["true", "false"];
  if (spec.class === "enum") return [...(spec.values ?? []), ...(spec.other ? [spec.other] : [])];
  return null;
}

function layout(appName: string): AppFeatures {
  const app = catalogue.apps[appName];
  if (!app) throw new Error(`no app ${appName}`);
  const features: Feature[] = [];
  const events = new Map<string, EventFeatures>();
  const dimensions = new Set(Object.values(app.dimensions ?? {}));
  const add = (event: string | null, property: string | null, value: string | null) => {
    features.push({ bit: features.length, event, property, value });
    return features.length - 1;
  };
  for (const [eventName, event] of Object.entries(catalogue.events)) {
    if (!event.apps.includes(appName)) continue;
    const bit = add(eventName, null, null);
    const properties = new Map<string, Map<string, number>>();
    for (const [property, spec] of Object.entries(event.properties)) {
      const values = valuesOf(spec);
      if (!values) continue;
      properties.set(property, new Map(values.map((value) => [value, add(eventName, property, value)])));
    }
    events.set(eventName, { bit, properties });
  }
  // Common properties belong to the install rather than to one event: one bit per value, shared.
  for (const [property, spec] of Object.entries(app.commonProperties)) {
    const values = valuesOf(spec);
    if (!values || dimensions.has(property)) continue;
    const bits = new Map(values.map((value) => [value, add(null, property, value)]));
    for (const event of events.values()) (event.properties as Map<string, Map<string, number>>).set(property, bits);
  }
  if (features.length > MAX_FEATURE_BITS) {
    throw new Error(`the app ${appName} needs ${features.length} feature bits; at most ${MAX_FEATURE_BITS} are stored`);
  }
  return { features, events };
}

const layouts = new Map(Object.keys(catalogue.apps).map((app) => [app, layout(app)]));

/** The app's features, or undefined for an app the catalogue does not know. */
export function featuresOf(app: string): AppFeatures | undefined {
  return layouts.get(app);
}

/** The bit of a property value of an event, if the property is tracked and the value declared. */
export function valueBit(app: string, event: string, property: string, value: string): number | undefined {
  return layouts.get(app)?.events.get(event)?.properties.get(property)?.get(value);
}
