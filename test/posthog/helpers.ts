import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { app } from "../../src/app";
import type { BatchMessage, StoredEvent } from "../../src/ingest/queue-message";
import type { IngestResult } from "../helpers/events";
import { randomDigest } from "../helpers/events";

/** A PostHog event as posthog-js sends it: the app's properties among the SDK's own. */
export function posthogJsEvent(overrides: Record<string, unknown> = {}, properties: Record<string, unknown> = {}) {
  const distinctId = overrides.distinct_id ?? uuidv7();
  return {
    uuid: uuidv7(),
    event: "connect.protocol.use",
    timestamp: new Date().toISOString(),
    ...overrides,
    properties: {
      $os: "Mac OS X",
      $browser: "Chrome",
      $current_url: "https://app.example.com/clusters?user=alice@example.com",
      $raw_user_agent: "Mozilla/5.0 (Macintosh; Intel Mac OS X 10_15_7)",
      $ip: "203.0.113.7",
      $lib: "web",
      $lib_version: "1.449.2",
      distinct_id: distinctId,
      token: "teleport-connect",
      cluster_name: randomDigest(),
      user_name: randomDigest(),
      protocol: "ssh",
      ...properties,
    },
  };
}

/** A UUIDv7 as posthog-js makes them: 48 bits of ms time, version 7, random bits. */
export function uuidv7(now = Date.now()): string {
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  for (let i = 0; i < 6; i++) bytes[i] = Math.floor(now / 2 ** (8 * (5 - i))) & 0xff;
  bytes[6] = ((bytes[6] ?? 0) & 0x0f) | 0x70;
  bytes[8] = ((bytes[8] ?? 0) & 0x3f) | 0x80;
  const hex = [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

/** An events Queue that keeps what it is sent, for the test to read (no consumer runs). */
export function recordingQueue(): { queue: Queue<BatchMessage>; stored: () => StoredEvent[] } {
  const messages: BatchMessage[] = [];
  const queue = {
    send: async (body: BatchMessage) => {
      messages.push(body);
    },
    sendBatch: async (batch: Iterable<MessageSendRequest<BatchMessage>>) => {
      for (const message of batch) messages.push(message.body);
    },
  } as unknown as Queue<BatchMessage>;
  return { queue, stored: () => messages.flatMap((message) => message.events) };
}

export interface CaptureAnswer {
  status: number;
  headers: Headers;
  body: IngestResult & { status?: number; error?: string; message?: string };
  /** The events the request put on the events queue: exactly what would be stored. */
  stored: StoredEvent[];
}

/**
 * Sends a request to the Worker with a recording events queue, and waits for the work it
 * left running (waitUntil) to finish.
 */
export async function send(path: string, init: RequestInit = {}, bindings: Partial<Env> = {}): Promise<CaptureAnswer> {
  const { queue, stored } = recordingQueue();
  const ctx = createExecutionContext();
  const res = await app.fetch(
    new Request(`http://edgehog.test${path}`, { method: "POST", ...init }),
    { ...env, EVENTS_QUEUE: queue, ...bindings },
    ctx,
  );
  await waitOnExecutionContext(ctx);
  const text = await res.text();
  return { status: res.status, headers: res.headers, body: text ? JSON.parse(text) : {}, stored: stored() };
}

/** Gzip of a string, as the SDKs compress. */
export async function gzip(text: string): Promise<Uint8Array> {
  const stream = new Response(text).body?.pipeThrough(new CompressionStream("gzip"));
  return new Uint8Array(await new Response(stream ?? null).arrayBuffer());
}
