import { SECOND_MS } from "../lib/time";
import type { ForwardedEvent } from "./message";

/**
 * One post of forwarded events to the upstream PostHog's `/batch/` (gzip), as posthog-node
 * sends them. Only what edgehog stored goes: the catalogue's properties, anonymized values
 * still digests. `$ip` is null and `$geoip_disable` set, as PostHog documents, so the upstream
 * records no address and derives no location (the request comes from Cloudflare anyway).
 */

/** How long one post may take before it counts as failed. */
const TIMEOUT_MS = 30 * SECOND_MS;

/** What the forwarder adds to each event's properties: where it came from, and no address. */
export const FORWARD_CONTROL_PROPERTIES = { $lib: "edgehog", $geoip_disable: true, $ip: null } as const;

export type PostOutcome =
  | { ok: true }
  /** `retry`: a later post may succeed (408, 429, 5xx, network); otherwise it never will as sent. */
  | { ok: false; retry: boolean; reason: string; retryAfterSeconds?: number };

/** An event as the upstream's `/batch/` takes it. */
export function upstreamEvent(event: ForwardedEvent) {
  return {
    uuid: event.uuid,
    event: event.event,
    distinct_id: event.distinct_id,
    timestamp: new Date(event.timestamp).toISOString(),
    properties: { ...event.properties, ...FORWARD_CONTROL_PROPERTIES },
  };
}

export async function postBatch(
  send: typeof fetch,
  url: string,
  apiKey: string,
  events: readonly ForwardedEvent[],
): Promise<PostOutcome> {
  const json = JSON.stringify({ api_key: apiKey, batch: events.map(upstreamEvent) });
  const body = await new Response(
    new Response(json).body?.pipeThrough(new CompressionStream("gzip")) ?? null,
  ).arrayBuffer();
  let res: Response;
  try {
    res = await send(`${url}/batch/`, {
      method: "POST",
      headers: { "content-type": "application/json", "content-encoding": "gzip", "user-agent": "edgehog" },
      body,
      signal: AbortSignal.timeout(TIMEOUT_MS),
    });
  } catch (err) {
    const reason = err instanceof Error && err.name === "TimeoutError" ? "timeout" : `network: ${String(err)}`;
    return { ok: false, retry: true, reason };
  }
  await res.body?.cancel().catch(() => {});
  if (res.ok) return { ok: true };
  const retry = res.status === 408 || res.status === 429 || res.status >= 500;
  const retryAfter = Number(res.headers.get("retry-after"));
  return {
    ok: false,
    retry,
    reason: `HTTP ${res.status}`,
    ...(Number.isFinite(retryAfter) && retryAfter > 0 ? { retryAfterSeconds: retryAfter } : {}),
  };
}
