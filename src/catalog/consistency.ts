import type { AppSpec, Catalogue, PropertySpec, SdkPropertyMapping } from "./types";

const NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,127}$/;
const ENUM_VALUE = /^[A-Za-z][A-Za-z _-]{0,31}$/;
/** PostHog properties that carry the client's address (or what is derived from it): never mapped. */
const IP_BEARING = /^\$(ip|geoip_)/;

/**
 * Mistakes in the catalogue that would otherwise surface as odd behaviour at run time: an
 * event for an undeclared app, an empty enum, a dimension naming no property.
 */
export function definitionProblems(catalogue: Catalogue): string[] {
  const problems: string[] = [];
  for (const [appName, app] of Object.entries(catalogue.apps)) {
    if (!NAME.test(appName)) problems.push(`app name "${appName}" is not a plain identifier`);
    for (const [dimension, property] of Object.entries(app.dimensions)) {
      if (property && !(property in app.commonProperties))
        problems.push(`app "${appName}": dimension ${dimension} names "${property}", which is not a common property`);
    }
    problems.push(...posthogMappingProblems(appName, app));
  }
  for (const [eventName, event] of Object.entries(catalogue.events)) {
    if (!NAME.test(eventName)) problems.push(`event name "${eventName}" is not a plain identifier`);
    if (event.apps.length === 0) problems.push(`event "${eventName}" names no app`);
    for (const appName of event.apps) {
      if (!(appName in catalogue.apps)) problems.push(`event "${eventName}" names undeclared app "${appName}"`);
    }
    problems.push(...propertyProblems(`event "${eventName}"`, event.properties));
  }
  for (const [appName, app] of Object.entries(catalogue.apps)) {
    problems.push(...propertyProblems(`app "${appName}"`, app.commonProperties));
    // A field the app never stores must not be a property it stores.
    for (const [eventName, event] of Object.entries(catalogue.events)) {
      if (!event.apps.includes(appName)) continue;
      for (const field of Object.keys(app.neverStored ?? {})) {
        if (field in event.properties || field in app.commonProperties)
          problems.push(`app "${appName}": "${field}" is both never stored and a property of event "${eventName}"`);
      }
    }
  }
  return problems;
}

/** Each value a property may store must itself be a string of a closed grammar: no free-form `other`. */
function propertyProblems(owner: string, properties: Readonly<Record<string, PropertySpec>>): string[] {
  const problems: string[] = [];
  for (const [propertyName, spec] of Object.entries(properties)) {
    const where = `${owner} property "${propertyName}"`;
    if (spec.class === "enum" && spec.values.length === 0) problems.push(`${where} is an enum with no values`);
    if (spec.class === "enum" && spec.other !== undefined && !ENUM_VALUE.test(spec.other))
      problems.push(`${where} has an other value that is not a short word`);
    if (spec.class === "count" && (spec.min ?? 0) > (spec.max ?? Number.POSITIVE_INFINITY))
      problems.push(`${where} is a count whose min is above its max`);
    if (spec.class === "text" && !(spec.maxLength > 0 && spec.maxWords > 0))
      problems.push(`${where} is text without a positive maxLength and maxWords`);
  }
  return problems;
}

/** A PostHog mapping must fill common properties, with values they accept, and never read an address. */
function posthogMappingProblems(appName: string, app: AppSpec): string[] {
  const problems: string[] = [];
  const check = (kind: string, from: string, mapping: SdkPropertyMapping) => {
    const where = `app "${appName}": PostHog ${kind} "${from}"`;
    if (IP_BEARING.test(from)) problems.push(`${where} carries the client's address and must never be mapped`);
    const target = app.commonProperties[mapping.to];
    if (!target) {
      problems.push(`${where} maps to "${mapping.to}", which is not a common property`);
      return;
    }
    if (target.class === "enum" && mapping.values) {
      for (const value of Object.values(mapping.values)) {
        if (!target.values.includes(value))
          problems.push(`${where} maps to "${value}", not a value of "${mapping.to}"`);
      }
    }
  };
  for (const [from, mapping] of Object.entries(app.posthog?.properties ?? {})) {
    if (!from.startsWith("$")) problems.push(`app "${appName}": PostHog property "${from}" is not an SDK ($) property`);
    check("property", from, mapping);
  }
  for (const [from, mapping] of Object.entries(app.posthog?.personProperties ?? {})) {
    check("person property", from, mapping);
  }
  return problems;
}
