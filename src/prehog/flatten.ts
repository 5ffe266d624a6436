import type { DescEnum, DescField, DescMessage, Message } from "@bufbuild/protobuf";
import type { Duration } from "@bufbuild/protobuf/wkt";
import { toBase64 } from "../lib/bytes";

/**
 * A prehog event's message as the flat properties the ingest core judges, read from the
 * message's descriptor (so every message is decoded by the same rules):
 *
 * - a string is kept when non-empty (proto3 cannot tell an empty string from an unset one), cut
 *   to one character over the longest string any property may hold, so that free text the
 *   catalogue drops cannot make the event too large to judge;
 * - numbers (64-bit ones as numbers) and booleans are always kept; bytes as standard base64;
 * - an enum as its value's name without the enum's shared prefix, lower-cased
 *   (`DISCOVER_STATUS_SUCCESS` → `success`); Teleport's resource kinds by their usage-report names;
 *   an unset (zero) value is left out, and a number this schema does not know becomes its digits,
 *   which the catalogue stores as `other`;
 * - a nested message becomes `<field>_<subfield>` properties (`metadata_id`), or `<field>` when
 *   the subfield repeats it (`status.status`) and `<subfield>` when it already starts with it
 *   (`beam.beam_id` → `beam_id`); a Duration becomes whole minutes, rounded up (`ttl_minutes`);
 * - a repeated string becomes one `true` per element, `<field>_<element>` (element lower-cased,
 *   anything but letters and digits as `_`), at most 32 of them;
 * - a map is named with no value, so that the core counts it as dropped.
 *
 * Nothing is judged here: the catalogue decides what is stored.
 */

export type FlatValue = string | number | boolean | null;
export type FlatProperties = Record<string, FlatValue>;

/** MAX_STRING_LENGTH's default and the catalogue's longest value: anything longer is refused or dropped anyway. */
const LONGEST_KEPT = 256;
const MAX_ELEMENTS = 32;

export const RESOURCE_KIND_NAMES: Readonly<Record<number, string>> = {
  1: "node",
  2: "app_server",
  3: "kube_server",
  4: "db_server",
  5: "windows_desktop",
  6: "node.openssh",
  7: "node.openssh_ec2_ice",
  8: "linux_desktop",
};

export function flatten(descriptor: DescMessage, message: Message, prefix?: string): FlatProperties {
  const out: FlatProperties = {};
  const values = message as unknown as Record<string, unknown>;
  for (const field of descriptor.fields) {
    if (field.oneof) continue; // no event message has one; an envelope's oneof is decoded by its caller
    const name = prefix === undefined ? field.name : nestedName(prefix, field.name);
    addField(out, field, name, values[field.localName]);
  }
  return out;
}

function addField(out: FlatProperties, field: DescField, name: string, value: unknown): void {
  switch (field.fieldKind) {
    case "scalar":
      if (typeof value === "string") {
        if (value !== "") out[name] = value.slice(0, LONGEST_KEPT + 1);
      } else if (value instanceof Uint8Array) {
        if (value.length > 0) out[name] = toBase64(value);
      } else if (typeof value === "bigint") out[name] = Number(value);
      else if (typeof value === "number" || typeof value === "boolean") out[name] = value;
      return;
    case "enum":
      if (typeof value === "number" && value !== 0) out[name] = enumValueName(field.enum, value);
      return;
    case "message":
      if (value === undefined) return;
      if (field.message.typeName === "google.protobuf.Duration") {
        const { seconds, nanos } = value as Duration;
        out[`${name}_minutes`] = Math.ceil((Number(seconds) + nanos / 1e9) / 60);
        return;
      }
      Object.assign(out, flatten(field.message, value as Message, name));
      return;
    case "list":
      if (field.listKind === "scalar" && Array.isArray(value)) {
        for (const element of value.slice(0, MAX_ELEMENTS)) {
          const suffix = typeof element === "string" ? elementName(element) : "";
          if (suffix !== "") out[`${name}_${suffix}`] = true;
        }
      }
      return;
    case "map":
      out[name] = null;
      return;
  }
}

/** `<parent>_<child>`, unless the child repeats the parent or already starts with it. */
export function nestedName(parent: string, child: string): string {
  if (child === parent || child.startsWith(`${parent}_`)) return child;
  return `${parent}_${child}`;
}

function elementName(element: string): string {
  return element
    .slice(0, LONGEST_KEPT)
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "_")
    .replace(/^_+|_+$/g, "")
    .slice(0, 64);
}

const prefixes = new WeakMap<DescEnum, string>();

/** The value's name without the prefix every value of the enum shares, lower-cased. */
export function enumValueName(descriptor: DescEnum, value: number): string {
  if (descriptor.typeName.endsWith(".ResourceKind")) return RESOURCE_KIND_NAMES[value] ?? String(value);
  const known = descriptor.value[value];
  if (!known) return String(value);
  let prefix = prefixes.get(descriptor);
  if (prefix === undefined) {
    prefix = sharedPrefix(descriptor.values.map((v) => v.name));
    prefixes.set(descriptor, prefix);
  }
  return known.name.slice(prefix.length).toLowerCase();
}

/** The longest prefix, ending in `_`, that every name starts with. */
function sharedPrefix(names: readonly string[]): string {
  const [first = ""] = names;
  let end = first.lastIndexOf("_") + 1;
  while (end > 0 && !names.every((name) => name.startsWith(first.slice(0, end)) && name.length > end)) {
    end = first.lastIndexOf("_", end - 2) + 1;
  }
  return first.slice(0, end);
}
