import type { CatalogTypes } from "./catalog.generated.js";
import type { FetchLike, ItemRefusal, RetryPolicy } from "./http.js";
import type { KeyValueStorage } from "./storage.js";

/** The public types of `createClient`, derived from the generated catalogue. */

export type Consent = "granted" | "denied" | "unknown";
export type AppName = keyof CatalogTypes;
export type EventName<A extends AppName> = keyof CatalogTypes[A]["events"] & string;
/** Properties every event of the app may carry (its version, the OS…). */
export type CommonProperties<A extends AppName> = CatalogTypes[A]["common"];
/** What `capture` takes for an event: its declared properties (plain values where the SDK anonymizes) and the app's. */
export type EventProperties<A extends AppName, E extends EventName<A>> = CatalogTypes[A]["events"][E] &
  CommonProperties<A>;

/** An error the SDK met (the collector's `{ error, message }`, or its own: `network_error`, `queue_full`…). */
export type ClientError = Pick<ItemRefusal, "error" | "message">;

export interface ClientOptions<A extends AppName> {
  /** The collector's origin, e.g. `https://metrics.example.com`. */
  host: string;
  app: A;
  /**
   * The user's decision, if your app keeps it itself; otherwise the one persisted in `storage`
   * is used, and "unknown" (the default) until the user answers. Nothing is collected unless "granted".
   */
  consent?: Consent;
  /** Where consent, install id and unsent events persist. Default: `localStorage` in browsers, memory elsewhere. */
  storage?: KeyValueStorage;
  /** The key anonymized properties are digested with, unless `capture` names one. It is never sent. */
  clusterKey?: string;
  /** Sent with every event, e.g. `{ app_version: "17.0.1", os: process.platform }`. */
  properties?: CommonProperties<A>;
  /** A tenant token, for the catalogue's tenant-only (server-side) events. */
  token?: string;
  /** Send as soon as this many events wait (default 50). */
  flushAt?: number;
  /** Send what waits this long after the first of it was captured (default 10 000 ms). */
  flushIntervalMs?: number;
  /** Events kept waiting at most; beyond it the oldest are dropped and counted (default 1 000). */
  maxQueue?: number;
  /** Events per request at most (default 500; a 413 halves it). */
  maxBatchSize?: number;
  /** Backoff after a failure (default 1 s doubling to 5 min) and the attempts `flush()` makes before it gives up (default 5). */
  retry?: Partial<RetryPolicy> & { attempts?: number };
  /** Give up on a request after this long (default 10 000 ms); it is retried like a network error. */
  timeoutMs?: number;
  fetch?: FetchLike;
  /** Told of every failure and drop; the SDK never throws them at the caller. */
  onError?: (error: ClientError) => void;
}

export interface CaptureOptions {
  /** The key of the cluster the event is about (a cluster id, or a licence's key). */
  clusterKey?: string;
  /** When it happened (default: now). */
  timestamp?: Date;
}

/** The options argument of `capture`: required when the event anonymizes and the client has no key. */
export type CaptureArgs<A extends AppName, E extends EventName<A>, HasKey extends boolean> = HasKey extends true
  ? [options?: CaptureOptions]
  : E extends CatalogTypes[A]["anonymizing"]
    ? [options: CaptureOptions & { clusterKey: string }]
    : [options?: CaptureOptions];

/** What happened since the previous `flush()`: events accepted, rejected by the collector, dropped. */
export interface FlushResult {
  sent: number;
  rejected: number;
  dropped: number;
  /** Events still waiting (the collector could not be reached; they are kept and retried). */
  pending: number;
  /** Each rejected event's uuid and the collector's reason. */
  rejections: (ClientError & { id: string; field?: string })[];
}

/** What the collector deleted: raw events and per-install daily rows. */
export interface ForgetResult {
  events: number;
  installDays: number;
  /** Forget requests still written down (not delivered in time): sent again at the next start. */
  pending: number;
}

/** A bound on a promise of the SDK: it settles within `timeoutMs` whatever the network does. */
export interface BoundOptions {
  timeoutMs?: number;
}

export interface Client<A extends AppName = AppName, HasKey extends boolean = boolean> {
  /** The current decision. */
  readonly consent: Consent;
  /** The random install id events are sent under (null until consent is granted). */
  readonly distinctId: string | null;
  /** Queues an event, if consent is granted; anonymized properties are digested first. Never throws. */
  capture<E extends EventName<A>>(
    event: E,
    properties: EventProperties<A, E>,
    ...options: CaptureArgs<A, E, HasKey>
  ): void;
  /** Records the user's answer. `false` drops the queue and its persisted copy. */
  setConsent(granted: boolean): void;
  /**
   * Sends what was captured until now; resolves once it is delivered, the attempts are spent,
   * or `timeoutMs` (default 10 000) has passed, whichever is first. Never rejects.
   */
  flush(options?: BoundOptions): Promise<FlushResult>;
  /**
   * Asks the collector to delete this install's data, then rotates the install id and clears
   * the queue. Resolves within `timeoutMs` (default 10 000); never rejects (`pending` > 0: sent again at the next start).
   */
  forget(options?: BoundOptions): Promise<ForgetResult>;
  /** Flushes (within `timeoutMs`, default 5 000), then stops: later captures are ignored. Never rejects. */
  shutdown(options?: BoundOptions): Promise<FlushResult>;
}
