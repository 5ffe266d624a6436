import { z } from "zod";
import { ApiError } from "../http/errors";

/**
 * A decoded capture payload, in any of the shapes PostHog's capture takes: an array of events
 * (older posthog-js), `{ api_key, batch: [...], sent_at }` (posthog-node, current posthog-js,
 * `/batch`), or a single event (`/capture`). Finds the one project key of the request (batch
 * level, or each event's `api_key` / `token` / `$token` / `properties.token`) and when the
 * client says it sent the batch.
 */

export interface CaptureRequest {
  /** The project key: the name of an edgehog app. */
  token: string;
  /** The PostHog events, each still as sent. */
  events: unknown[];
  /** When the client sent the batch (ms), to correct its clock. */
  sentAt: number | undefined;
}

/** A project key names an app: public, short, never a secret (personal keys are not app names). */
const tokenSchema = z.string().trim().min(1).max(128);

/** `sent_at` before this (2021) is a client that sent seconds, or no clock at all: ignored, as PostHog does. */
const EARLIEST_SENT_AT = Date.UTC(2021, 0, 1);

function record(value: unknown): Record<string, unknown> | undefined {
  return value !== null && typeof value === "object" && !Array.isArray(value)
    ? (value as Record<string, unknown>)
    : undefined;
}

/** The project keys a value carries at the places PostHog looks for one. */
function tokensIn(value: Record<string, unknown>): unknown[] {
  const properties = record(value.properties);
  return [value.api_key, value.token, value.$token, properties?.token, properties?.$token];
}

export function parseCapture(payload: unknown, query: URLSearchParams): CaptureRequest {
  const envelope = record(payload);
  let events: unknown[];
  let batchToken: unknown;
  let bodySentAt: unknown;
  if (Array.isArray(payload)) {
    events = payload;
  } else if (envelope && Array.isArray(envelope.batch)) {
    events = envelope.batch;
    batchToken = envelope.api_key ?? envelope.token ?? envelope.$token;
    bodySentAt = envelope.sent_at;
  } else if (envelope) {
    events = [envelope];
  } else {
    throw new ApiError("invalid_batch", "the payload must be an event, an array of events or { api_key, batch }");
  }
  if (events.length === 0) throw new ApiError("invalid_batch", "a batch needs at least one event");

  const found = new Set<string>();
  for (const candidate of [batchToken, ...events.flatMap((event) => tokensIn(record(event) ?? {}))]) {
    if (typeof candidate === "string" && candidate.trim() !== "") found.add(candidate.trim());
  }
  if (found.size === 0) {
    throw new ApiError("missing_token", "the project API key (api_key or token) is required: it names the app");
  }
  if (found.size > 1) {
    throw new ApiError("multiple_tokens", "a request may carry events of one project API key only");
  }
  const token = tokenSchema.safeParse([...found][0]);
  if (!token.success) throw new ApiError("unknown_app", "the project API key is not an app of the catalogue");

  return {
    token: token.data,
    events,
    sentAt: sentAtOf(bodySentAt) ?? sentAtOf(query.get("sent_at")) ?? sentAtOf(query.get("_")),
  };
}

/** An ISO time or a number of milliseconds; undefined when it is neither, as PostHog ignores it. */
function sentAtOf(value: unknown): number | undefined {
  let ms: number;
  if (typeof value === "number") ms = value;
  else if (typeof value === "string" && /^\d+$/.test(value.trim())) ms = Number(value);
  else if (typeof value === "string") ms = Date.parse(value);
  else return undefined;
  return Number.isFinite(ms) && ms >= EARLIEST_SENT_AT ? ms : undefined;
}
