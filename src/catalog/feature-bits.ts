import { catalogue } from "./definition";

/**
 * The features of an app, numbered: one bit per catalogue event the app may send, then one per
 * value of each event's own `enum` and `bool` properties (an enum's `other` included), then one
 * per value of the app's common `enum` properties that are not a dimension (`arch`). An
 * install-day row holds the OR of the bits of the events it sent that day (its `features`),
 * which is what adoption, retention, funnels and the installs of a breakdown count. Every name
 * here comes from the catalogue, so the bits spell nothing a client chose.
 *
 * At most MAX_FEATURE_BITS (what a JavaScript number read from D1 holds exactly): an app that
 * declares more keeps its first events and then the properties whose values all fit; the rest
 * are not tracked per install (their events are still counted, and by value where declared).
 * Teleport Connect needs 49; the Teleport cluster's hundreds of server-side events get their
 * first 53 events and no values. The numbering follows the catalogue's order and is stored: new
 * events and values go at the end of their lists, and test/catalog/feature-bits.test.ts pins it.
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
  const room = (n: number) => features.length + n <= MAX_FEATURE_BITS;
  const add = (event: string | null, property: string | null, value: string | null) => {
    features.push({ bit: features.length, event, property, value });
    return features.length - 1;
  };
  const declared = Object.entries(catalogue.events).filter(([, event]) => event.apps.includes(appName));
  // The events first, while they fit: an event past the room is not tracked per install.
  for (const [eventName] of declared) {
    if (!room(1)) break;
    events.set(eventName, { bit: add(eventName, null, null), properties: new Map() });
  }
  // Then each tracked event's properties, a property only if all its values fit.
  for (const [eventName, event] of declared) {
    const tracked = events.get(eventName);
    if (!tracked) continue;
    for (const [property, spec] of Object.entries(event.properties)) {
      const values = valuesOf(spec);
      if (!values || !room(values.length)) continue;
      const bits = new Map(values.map((value) => [value, add(eventName, property, value)]));
      (tracked.properties as Map<string, Map<string, number>>).set(property, bits);
    }
  }
  // Common properties belong to the install rather than to one event: one bit per value, shared.
  for (const [property, spec] of Object.entries(app.commonProperties)) {
    const values = valuesOf(spec);
    if (!values || dimensions.has(property) || !room(values.length)) continue;
    const bits = new Map(values.map((value) => [value, add(null, property, value)]));
    for (const event of events.values()) (event.properties as Map<string, Map<string, number>>).set(property, bits);
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
