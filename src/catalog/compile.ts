import { jsonStringSize } from "../lib/json-size";
import { definitionProblems } from "./consistency";
import { catalogue } from "./definition";
import { checkFor, type PropertyCheck, type PropertyReduction, reductionFor } from "./property-checks";
import type { AppSpec, EventSpec, SdkPropertyMapping } from "./types";

export interface CompiledProperty {
  name: string;
  /** The name's share of the stored JSON (quoted, its colon and comma): for sizing without serialising. */
  nameBytes: number;
  /** True when every value the check accepts is a string JSON writes as it is (a digest, a version, a plain enum). */
  plainValues: boolean;
  optional: boolean;
  /** True for an anonymized property: its check is `isDigest`, whose verdict a batch may remember. */
  digest: boolean;
  check: PropertyCheck;
  /** What a value the check refused is stored as, where the catalogue declares it (else the event is refused). */
  reduce: PropertyReduction | undefined;
}

/** An event as one app may send it, with its checks built once per isolate. */
export interface CompiledEvent {
  name: string;
  tenantOnly: boolean;
  properties: readonly CompiledProperty[];
  /** The declared properties by name. */
  byName: ReadonlyMap<string, CompiledProperty>;
  /** How many of them are required. */
  required: number;
}

export interface CompiledApp {
  name: string;
  dimensions: AppSpec["dimensions"];
  events: ReadonlyMap<string, CompiledEvent>;
  posthog: CompiledPosthogMapping;
}

/** What the PostHog front door takes from an SDK for one app, by SDK name. */
export interface CompiledPosthogMapping {
  /** `$`-prefixed event properties. */
  properties: ReadonlyMap<string, SdkPropertyMapping>;
  /** Keys of `$set` / `$set_once`: every common property under its own name, plus the declared ones. */
  personProperties: ReadonlyMap<string, SdkPropertyMapping>;
}

/** The app's PostHog mapping, with the common properties' own names as person properties. */
export function posthogMappingOf(app: AppSpec): CompiledPosthogMapping {
  return {
    properties: new Map(Object.entries(app.posthog?.properties ?? {})),
    personProperties: new Map([
      ...Object.keys(app.commonProperties).map((name): [string, SdkPropertyMapping] => [name, { to: name }]),
      ...Object.entries(app.posthog?.personProperties ?? {}),
    ]),
  };
}

function compileEvent(name: string, event: EventSpec, app: AppSpec): CompiledEvent {
  const specs = { ...app.commonProperties, ...event.properties };
  const properties = Object.entries(specs).map(([propertyName, spec]) => ({
    name: propertyName,
    nameBytes: jsonStringSize(propertyName) + 2,
    plainValues:
      spec.class === "anonymized" ||
      spec.class === "version" ||
      (spec.class === "enum" &&
        [...spec.values, spec.other ?? ""].every((value) => jsonStringSize(value) === value.length + 2)),
    optional: spec.optional === true,
    // A property that also takes preset names in clear must not vouch for them as digests.
    digest: spec.class === "anonymized" && spec.presets === undefined,
    check: checkFor(spec),
    reduce: reductionFor(spec),
  }));
  return {
    name,
    tenantOnly: event.tenantOnly === true,
    properties,
    byName: new Map(properties.map((property) => [property.name, property])),
    required: properties.filter((property) => !property.optional).length,
  };
}

function compile(): ReadonlyMap<string, CompiledApp> {
  const problems = definitionProblems(catalogue);
  if (problems.length > 0) throw new Error(`the event catalogue is inconsistent: ${problems.join("; ")}`);
  const apps = new Map<string, CompiledApp>();
  for (const [appName, app] of Object.entries(catalogue.apps)) {
    const events = new Map<string, CompiledEvent>();
    for (const [eventName, event] of Object.entries(catalogue.events)) {
      if (event.apps.includes(appName)) events.set(eventName, compileEvent(eventName, event, app));
    }
    apps.set(appName, { name: appName, dimensions: app.dimensions, events, posthog: posthogMappingOf(app) });
  }
  return apps;
}

const compiled = compile();

/**
 * Every property name the catalogue knows: declared by any app or event, read from a PostHog SDK
 * by a mapping, or a field an app's door decodes but never stores. An undeclared property sent under one of these names is counted under it;
 * any other name is client data and is counted as `(other)`.
 */
const knownNames: ReadonlySet<string> = new Set([
  ...Object.values(catalogue.apps).flatMap((app) => [
    ...Object.keys(app.commonProperties),
    ...Object.keys(app.posthog?.properties ?? {}),
    ...Object.keys(app.posthog?.personProperties ?? {}),
    ...Object.keys(app.neverStored ?? {}),
  ]),
  ...Object.values(catalogue.events).flatMap((event) => Object.keys(event.properties)),
]);

export function isKnownPropertyName(name: string): boolean {
  return knownNames.has(name);
}

/** The app as the catalogue declares it, or undefined for an app it does not know. */
export function findApp(name: string): CompiledApp | undefined {
  return compiled.get(name);
}
