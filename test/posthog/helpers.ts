import type { QueuedBatch, StoredEvent } from "../../src/ingest/queue-message";
import type { IngestResult } from "../helpers/events";
import { randomDigest } from "../helpers/events";
import { answerOf, call } from "../helpers/harness";
import { recordingEventsQueue } from "../helpers/queue";
import { uuidv7 } from "../helpers/uuidv7";

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

export interface CaptureAnswer {
  status: number;
  headers: Headers;
  body: IngestResult & { status?: number; error?: string; message?: string };
  /** The events the request put on the events queue: exactly what would be stored. */
  stored: StoredEvent[];
  /** The events queue messages the request sent. */
  messages: QueuedBatch[];
}

/**
 * Sends a request to the Worker with a recording events queue, and waits for the work it
 * left running (waitUntil) to finish.
 */
export async function send(path: string, init: RequestInit = {}, bindings: Partial<Env> = {}): Promise<CaptureAnswer> {
  const { queue, bodies, events } = recordingEventsQueue();
  const answer = await answerOf<CaptureAnswer["body"]>(
    call(path, { method: "POST", ...init }, { bindings: { EVENTS_QUEUE: queue, ...bindings } }),
  );
  return { ...answer, stored: [...events], messages: bodies };
}
