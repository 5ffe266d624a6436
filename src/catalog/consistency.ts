import type { Catalogue } from "./types";

const NAME = /^[A-Za-z][A-Za-z0-9_.-]{0,127}$/;

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
  }
  for (const [eventName, event] of Object.entries(catalogue.events)) {
    if (!NAME.test(eventName)) problems.push(`event name "${eventName}" is not a plain identifier`);
    if (event.apps.length === 0) problems.push(`event "${eventName}" names no app`);
    for (const appName of event.apps) {
      if (!(appName in catalogue.apps)) problems.push(`event "${eventName}" names undeclared app "${appName}"`);
    }
    for (const [propertyName, spec] of Object.entries(event.properties)) {
      if (spec.class === "enum" && spec.values.length === 0)
        problems.push(`event "${eventName}" property "${propertyName}" is an enum with no values`);
      if (spec.class === "text" && !(spec.maxLength > 0))
        problems.push(`event "${eventName}" property "${propertyName}" is text without a positive maxLength`);
    }
  }
  return problems;
}
