import { posthogMappingOf } from "./compile";
import { catalogue } from "./definition";
import type { AppSpec, PrivacyClass, PropertySpec, SdkPropertyMapping } from "./types";

/** What each privacy class means, for people reading the published catalogue. */
const classMeanings: Record<PrivacyClass, string> = {
  anonymized:
    "an HMAC-SHA256 digest computed on the client with a key the collector never sees; plain values are refused",
  enum: "one of the listed values; with `other`, any other string is stored as that value, never as sent",
  version:
    "a version: up to three numbers, then optionally '-' and a pre-release word (alpha, beta, rc, dev…) or a Linux kernel flavour and a number; at most 8 digits in all. With `reduce: kernel`, a Linux kernel release outside it is stored as its numeric core and flavour",
  count: "an integer from min (0 unless stated) to max",
  id: "a random id that ties events together and names nothing: a version 4 or 7 UUID, or an HMAC digest",
  bool: "true or false",
  text: "short free text of ASCII letters, single spaces and ' & ( ) , - only (no digits, @, dots, colons or slashes), with a word limit",
};

function describeProperty(name: string, spec: PropertySpec) {
  return {
    name,
    class: spec.class,
    description: spec.description,
    required: spec.optional !== true,
    ...(spec.class === "enum" ? { values: spec.values } : {}),
    ...(spec.class === "anonymized" && spec.presets !== undefined ? { presets: spec.presets, other: "other" } : {}),
    ...(spec.class === "enum" && spec.other !== undefined ? { other: spec.other } : {}),
    ...(spec.class === "version" && spec.reduce !== undefined ? { reduce: spec.reduce } : {}),
    ...(spec.class === "text" ? { max_length: spec.maxLength, max_words: spec.maxWords } : {}),
    ...(spec.class === "count" && spec.min !== undefined ? { min: spec.min } : {}),
    ...(spec.class === "count" && spec.max !== undefined ? { max: spec.max } : {}),
  };
}

function describeMappings(mappings: ReadonlyMap<string, SdkPropertyMapping>) {
  return [...mappings].map(([from, mapping]) => ({
    from,
    to: mapping.to,
    ...(mapping.values ? { values: mapping.values } : {}),
  }));
}

/**
 * What the PostHog front door takes from an SDK for this app: the `$` properties it maps, and
 * the person properties (`$set`, `$set_once`) that fill common properties; nothing else.
 */
function describePosthog(app: AppSpec) {
  const mapping = posthogMappingOf(app);
  return {
    properties: describeMappings(mapping.properties),
    person_properties: describeMappings(mapping.personProperties),
  };
}

/**
 * The catalogue as `GET /v1/catalog` publishes it: the public, auditable list of everything
 * edgehog stores. Built once: the catalogue is code and cannot change while the isolate runs.
 */
export const publishedCatalogue = {
  privacy_classes: classMeanings,
  never_stored: [
    "client IP address",
    "User-Agent",
    "undeclared properties (counted under their name only if the catalogue knows it, else as (other))",
    "PostHog SDK properties ($lib, $current_url, $ip…) other than the mapped ones",
  ],
  apps: Object.entries(catalogue.apps).map(([appName, app]) => ({
    name: appName,
    description: app.description,
    common_properties: Object.entries(app.commonProperties).map(([n, s]) => describeProperty(n, s)),
    posthog: describePosthog(app),
    never_stored: Object.entries(app.neverStored ?? {}).map(([field, why]) => ({ field, why })),
    events: Object.entries(catalogue.events)
      .filter(([, event]) => event.apps.includes(appName))
      .map(([eventName, event]) => ({
        name: eventName,
        description: event.description,
        tenant_only: event.tenantOnly === true,
        properties: Object.entries(event.properties).map(([n, s]) => describeProperty(n, s)),
      })),
  })),
};
