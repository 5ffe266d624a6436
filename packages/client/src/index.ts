/**
 * `edgehog/client`: the SDK for client apps (`createClient`: consent first, anonymized, batched)
 * and for cluster servers (`createUsageReporter`: anonymized usage reports with a tenant token).
 * No runtime dependency and no Workers-only API: Node ≥ 20, Electron and browsers.
 * File storage for Node is in `edgehog/client/node`, so that browser bundles never import `node:fs`.
 */

export { anonymize, type ClusterAnonymizer, createAnonymizer } from "./anonymize.js";
export type { CatalogTypes, ToAnonymize } from "./catalog.generated.js";
export { createClient, type WireEvent } from "./client.js";
export type { FetchLike, RetryPolicy } from "./http.js";
export { createUsageReporter, type UsageReporter, type UsageReporterOptions } from "./reporter.js";
export type { BotCounter, ResourceKind, UserCounter } from "./shared/usage-vocabulary.js";
export { type KeyValueStorage, localStorageStorage, memoryStorage } from "./storage.js";
export type {
  AppName,
  BoundOptions,
  CaptureArgs,
  CaptureOptions,
  Client,
  ClientError,
  ClientOptions,
  CommonProperties,
  Consent,
  EventName,
  EventProperties,
  FlushResult,
  ForgetResult,
} from "./types.js";
export type { UsageReport, UserKind } from "./usage-windows.js";
