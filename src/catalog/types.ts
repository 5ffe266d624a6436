/**
 * The privacy classes a property may have. Every property the collector stores is declared
 * with one; anything undeclared is dropped.
 */
export type PropertySpec =
  /** An HMAC-SHA256 digest computed by the client (44-character standard base64). */
  | { class: "anonymized"; description: string; optional?: boolean }
  /** One of a fixed list of values. */
  | { class: "enum"; description: string; values: readonly string[]; optional?: boolean }
  /** A version string such as `16.4.7`, `v1.2.3-rc.1` or `6.5.0-14-generic`. */
  | { class: "version"; description: string; optional?: boolean }
  /** A non-negative integer. */
  | { class: "count"; description: string; max?: number; optional?: boolean }
  | { class: "bool"; description: string; optional?: boolean }
  /** Free text, length-capped and scanned for email and IP addresses. */
  | { class: "text"; description: string; maxLength: number; optional?: boolean };

export type PrivacyClass = PropertySpec["class"];

export interface EventSpec {
  description: string;
  /** The apps that may send this event. */
  apps: readonly string[];
  /** Server-side events: only accepted with a tenant token, and attributed to the tenant. */
  tenantOnly?: boolean;
  properties: Readonly<Record<string, PropertySpec>>;
}

export interface AppSpec {
  description: string;
  /** Properties any event of the app may carry (the app's version, the OS...). */
  commonProperties: Readonly<Record<string, PropertySpec>>;
  /** Which properties fill the aggregate dimensions `app_version` and `os`. */
  dimensions: { appVersion?: string; os?: string };
}

export interface Catalogue {
  apps: Readonly<Record<string, AppSpec>>;
  events: Readonly<Record<string, EventSpec>>;
}
