import type { CompiledEvent } from "../catalog/compile";
import type { PropertyValue } from "../catalog/property-checks";
import { type Refusal, refuse } from "../http/judge";
import { jsonStringSize } from "../lib/json-size";

/**
 * An event's properties against its catalogue entry, the hottest loop of ingest: every sent
 * property of every event passes through it once. Declared properties are checked by their
 * privacy class (the functions the catalogue compiled at load) and kept, or kept reduced where
 * the catalogue declares a reduction (an enum's `other`, a kernel release's core); the others
 * are only named, to be counted as dropped and never stored.
 */

export interface CheckedProperties {
  ok: true;
  /** The declared properties sent: the sent object itself when nothing was left out of it. */
  kept: Record<string, PropertyValue>;
  /** flatJsonSize(kept), added up as the values are checked rather than in a second pass. */
  keptBytes: number;
  dropped: readonly string[];
  /** The declared properties stored reduced rather than as sent. */
  reduced: readonly string[];
}

/**
 * One walk over the sent properties: each declared one is checked, each other one is named in
 * `dropped`; then the required ones are counted (and the first missing one named). When
 * nothing is left out (the usual case) the sent object is kept as it is, not copied.
 */
export function checkProperties(
  spec: CompiledEvent,
  properties: Record<string, unknown>,
  maxStringLength: number,
  digests: Set<string>,
): CheckedProperties | Refusal {
  let dropped: string[] | undefined;
  let reduced: Map<string, PropertyValue> | undefined;
  let absent = false; // a declared property sent as null
  let keptBytes = 2;
  let required = 0;
  // for…in lists no key but the object's own: it is parsed JSON or a plain object a front door built.
  for (const name in properties) {
    const property = spec.byName.get(name);
    if (property === undefined) {
      if (dropped === undefined) dropped = [name];
      else dropped.push(name);
      continue;
    }
    let value = properties[name];
    if (value === undefined || value === null) {
      absent = true; // an optional one left out, or a required one missing (below)
      continue;
    }
    if (typeof value === "string" && value.length > maxStringLength) {
      return refuse(
        "value_too_long",
        `property "${name}" must be at most ${maxStringLength} characters`,
        `properties.${name}`,
      );
    }
    if (!(property.digest && digests.has(value as string))) {
      const problem = property.check(value);
      if (problem) {
        const stored = property.reduce?.(value);
        if (stored === undefined)
          return refuse(problem.error, `property "${name}" ${problem.message}`, `properties.${name}`);
        if (reduced === undefined) reduced = new Map();
        reduced.set(name, stored);
        value = stored;
      } else if (property.digest) digests.add(value as string);
    }
    if (!property.optional) required++;
    keptBytes +=
      property.nameBytes +
      (typeof value !== "string" ? 24 : property.plainValues ? value.length + 2 : jsonStringSize(value));
  }
  if (required < spec.required) {
    const missing = spec.properties.find(
      (property) =>
        !property.optional && (properties[property.name] === undefined || properties[property.name] === null),
    );
    const name = missing?.name ?? "";
    return refuse("missing_property", `property "${name}" is required for event "${spec.name}"`, `properties.${name}`);
  }
  if (dropped === undefined && !absent && reduced === undefined) {
    return { ok: true, kept: properties as Record<string, PropertyValue>, keptBytes, dropped: NONE, reduced: NONE };
  }
  const kept: Record<string, PropertyValue> = {};
  for (const property of spec.properties) {
    const value = reduced?.get(property.name) ?? properties[property.name];
    if (value !== undefined && value !== null) kept[property.name] = value as PropertyValue;
  }
  return { ok: true, kept, keptBytes, dropped: dropped ?? NONE, reduced: reduced ? [...reduced.keys()] : NONE };
}

const NONE: readonly string[] = Object.freeze([]);
