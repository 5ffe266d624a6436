import { posthogMappingOf } from "./compile";
import { catalogue } from "./definition";
import type { AppSpec, PrivacyClass, PropertySpec, SdkPropertyMapping } from "./types";

/** What each privacy class means, for people reading the published catalogue. */
const classMeanings: Record<PrivacyClass, string> = {
  anonymized:
    "an HMAC-SHA256 digest computed on the client with a key the collector never sees; plain values are refused",
  enum: "one of the listed values",
  version: "a software version string",
  count: "a non-negative integer",
  bool: "true or false",
  text: "short free text, refused if it contains an email or IP address",
};

function describeProperty(name: string, spec: PropertySpec) {
  return {
    name,
    class: spec.class,
    description: spec.description,
    required: spec.optional !== true,
    ...(spec.class === "enum" ? { values: spec.values } : {}),
    ...(spec.class === "text" ? { max_length: spec.maxLength } : {}),
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
    "undeclared properties",
    "PostHog SDK properties ($lib, $current_url, $ip…) other than the mapped ones",
  ],
  apps: Object.entries(catalogue.apps).map(([appName, app]) => ({
    name: appName,
    description: app.description,
    common_properties: Object.entries(app.commonProperties).map(([n, s]) => describeProperty(n, s)),
    posthog: describePosthog(app),
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
