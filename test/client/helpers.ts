import { vi } from "vitest";
import type { WireEvent } from "../../packages/client/src/client";
import type { FetchLike } from "../../packages/client/src/http";

/**
 * A stand-in for the collector, behind the `fetch` the SDK takes: it records every request and
 * answers with `respond` (by default, 202 accepting everything, as the collector does).
 */
export interface Recorded {
  url: string;
  body: {
    app?: string;
    sent_at?: string;
    events?: WireEvent[];
    reports?: Record<string, unknown>[];
    distinct_id?: string;
  };
  headers: Record<string, string>;
  keepalive: boolean;
  at: number;
}

export type Respond = (request: Recorded, index: number) => Response | "network_error";

export function fakeCollector(respond: Respond = accept) {
  const requests: Recorded[] = [];
  const fetch: FetchLike = async (url, init) => {
    const request: Recorded = {
      url,
      body: JSON.parse(String(init.body)),
      headers: init.headers as Record<string, string>,
      keepalive: init.keepalive === true,
      at: Date.now(),
    };
    requests.push(request);
    const answer = respond(request, requests.length - 1);
    if (answer === "network_error") throw new TypeError("fetch failed");
    return answer;
  };
  return {
    fetch,
    requests,
    /** Every event received, in order (retries included). */
    events: () => requests.flatMap((r) => r.body.events ?? []),
  };
}

/** 202, everything accepted (or every report). */
export function accept(request: Recorded): Response {
  const n = request.body.events?.length ?? request.body.reports?.length ?? 0;
  return Response.json({ accepted: n, duplicates: 0, rejected: [], dropped_properties: {} }, { status: 202 });
}

export function status(code: number, headers: Record<string, string> = {}, body: unknown = {}): Response {
  return Response.json(body, { status: code, headers });
}

// Captured before any test installs fake timers: the real event loop and clock.
const realSetImmediate = setImmediate;
const realSetTimeout = setTimeout;

/** Lets pending work run (promise chains, and crypto.subtle, which answers from another thread). */
export const settle = () => new Promise<void>((resolve) => realSetImmediate(resolve));

/**
 * Under fake timers: advances the clock `stepMs` at a time until `condition` holds (at most
 * `steps` times). Between steps, 10 ms of real time let crypto.subtle answer, whose work runs
 * on another thread however the fake clock moves.
 */
export async function until(condition: () => boolean, stepMs: number, steps = 100): Promise<void> {
  for (let step = 0; !condition(); step++) {
    if (step === steps) throw new Error(`condition not met after ${steps} steps of ${stepMs} ms`);
    await new Promise<void>((resolve) => realSetTimeout(resolve, 10));
    await vi.advanceTimersByTimeAsync(stepMs);
  }
}
