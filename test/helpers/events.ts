import { findApp } from "../../src/catalog/compile";
import type { EventContext } from "../../src/ingest/judge-event";
import { randomBytes, toBase64 } from "../../src/lib/bytes";

/** A random value shaped like an HMAC-SHA256 digest (std base64 of 32 bytes). */
export function randomDigest(): string {
  return toBase64(randomBytes(32));
}

export interface TestEvent {
  uuid?: unknown;
  event?: unknown;
  distinct_id?: unknown;
  timestamp?: unknown;
  properties?: Record<string, unknown>;
  [key: string]: unknown;
}

/** A valid `connect.protocol.use` event; override any field. */
export function protocolUse(overrides: TestEvent = {}): TestEvent {
  const { properties, ...rest } = overrides;
  return {
    uuid: crypto.randomUUID(),
    event: "connect.protocol.use",
    distinct_id: crypto.randomUUID(),
    timestamp: new Date().toISOString(),
    ...rest,
    properties: {
      cluster_name: randomDigest(),
      user_name: randomDigest(),
      protocol: "ssh",
      app_version: "17.0.1",
      os: "darwin",
      ...properties,
    },
  };
}

/** A batch of `count` events of one install, as the JSON a client posts. */
export function eventsBody(distinctId: string, count: number): string {
  return JSON.stringify({
    app: "teleport-connect",
    // Only the event's own properties: the bodies' sizes (charged per 8 KiB) are what the limits were set by.
    events: Array.from({ length: count }, () =>
      protocolUse({ distinct_id: distinctId, properties: { app_version: undefined, os: undefined } }),
    ),
  });
}

export function batch(events: TestEvent[], extra: Record<string, unknown> = {}) {
  return { app: "teleport-connect", events, ...extra };
}

export interface IngestResult {
  accepted: number;
  duplicates: number;
  rejected: { index: number; uuid?: string; error: string; field?: string; message: string }[];
  dropped_properties: Record<string, Record<string, number>>;
  reduced_properties: Record<string, Record<string, number>>;
}

/** Polls `probe` until it returns a value other than undefined (the consumer is asynchronous). */
export async function eventually<T>(probe: () => Promise<T | undefined>, timeoutMs = 10_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms`);
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
}

/** What the ingest core hands the event judge, for `teleport-connect`; override any field. */
export function eventContext(overrides: Partial<EventContext> = {}): EventContext {
  const app = findApp("teleport-connect");
  if (!app) throw new Error("teleport-connect is missing from the catalogue");
  return {
    app,
    receivedAt: Date.now(),
    sentAt: undefined,
    tenantId: null,
    maxEventBytes: 8192,
    maxStringLength: 256,
    maxAgeMs: 30 * 86_400_000,
    ...overrides,
  };
}
