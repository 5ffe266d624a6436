/**
 * The privacy classes a property may have. Every property the collector stores is declared
 * with one; anything undeclared is dropped.
 */
export type PropertySpec =
  /**
   * An HMAC-SHA256 digest computed by the client (44-character standard base64). With
   * `presets`, also one of those names as sent (names the product itself ships, such as
   * Teleport's preset roles, which its reporter leaves in clear), and any other plain value is
   * stored as `other` rather than refusing the event.
   */
  | { class: "anonymized"; description: string; presets?: readonly string[]; optional?: boolean }
  /**
   * One of a fixed list of values. With `other`, any other string is stored as `other` (a
   * value the client may also send) instead of refusing the event: for answers that a user may
   * type ("Other role…"), which are never stored as typed.
   */
  | { class: "enum"; description: string; values: readonly string[]; other?: string; optional?: boolean }
  /**
   * A version of the strict grammar of src/privacy/version.ts (`17.0.1`, `v20.11.1`,
   * `17.0.0-rc.1`). With `reduce: "kernel"`, a value outside it that starts like a Linux kernel
   * release (`6.5.0-14-generic`) is stored reduced to its numeric core and flavour
   * (`6.5.0-generic`) instead of refusing the event; without it such a value is refused.
   */
  | { class: "version"; description: string; reduce?: "kernel"; optional?: boolean }
  /** An integer from `min` (default 0) to `max`. */
  | { class: "count"; description: string; min?: number; max?: number; optional?: boolean }
  | { class: "bool"; description: string; optional?: boolean }
  /**
   * An id that ties events together and names nothing: a random UUID (version 4 or 7) or an
   * HMAC digest that looks random (src/privacy/ids.ts, as an install id). For a wizard's run id.
   */
  | { class: "id"; description: string; optional?: boolean }
  /**
   * Short free text of a restricted alphabet (src/privacy/text.ts): ASCII letters, single
   * spaces and `' & ( ) , -`, at most `maxLength` characters and `maxWords` words. Only where
   * an enum with `other` cannot serve: a name can still be written in letters.
   */
  | { class: "text"; description: string; maxLength: number; maxWords: number; optional?: boolean };

export type PrivacyClass = PropertySpec["class"];

export interface EventSpec {
  description: string;
  /** The apps that may send this event. */
  apps: readonly string[];
  /** Server-side events: only accepted with a tenant token, and attributed to the tenant. */
  tenantOnly?: boolean;
  properties: Readonly<Record<string, PropertySpec>>;
  /**
   * False for an event only a server sends through a wire format of its own (Teleport's
   * reporting RPCs): the client SDK does not offer it. Any door still judges it the same.
   */
  clientSdk?: boolean;
}

export interface AppSpec {
  description: string;
  /** Properties any event of the app may carry (the app's version, the OS...). */
  commonProperties: Readonly<Record<string, PropertySpec>>;
  /** Which properties fill the aggregate dimensions `app_version` and `os`. */
  dimensions: { appVersion?: string; os?: string };
  /** How fields of PostHog's SDKs fill common properties (the PostHog front door, docs/POSTHOG.md). */
  posthog?: PosthogMapping;
  /**
   * Fields a front door decodes for this app's events that are never stored, each with why (free
   * text, addresses, URLs): dropped like any undeclared property, and counted under their name.
   */
  neverStored?: Readonly<Record<string, string>>;
}

/** One SDK field that fills a common property of the app. */
export interface SdkPropertyMapping {
  /** The common property it fills. */
  to: string;
  /**
   * The SDK's values and what each becomes (e.g. "Mac OS X" → "darwin"); a value not listed is
   * dropped. Without it the value is passed as sent and judged like any other.
   */
  values?: Readonly<Record<string, string>>;
}

/**
 * What the PostHog front door may take from an SDK besides the app's own properties. Every
 * other `$`-prefixed property (`$lib`, `$current_url`, `$ip`…) is dropped. Person properties
 * (`$set`, `$set_once`) named like a common property always fill it; `personProperties` adds
 * other names (Teleport Connect's `connect.os`…).
 */
export interface PosthogMapping {
  /** `$`-prefixed properties the SDKs add to events, by name. */
  properties?: Readonly<Record<string, SdkPropertyMapping>>;
  /** Keys of `$set` / `$set_once`, by name. */
  personProperties?: Readonly<Record<string, SdkPropertyMapping>>;
}

export interface Catalogue {
  apps: Readonly<Record<string, AppSpec>>;
  events: Readonly<Record<string, EventSpec>>;
}
