// How much of what was sent has reached storage: the collector's aggregates (through its
// operator API) or a baseline's row count (its GET /count).

import { APP, statsWindow } from "./payload.mjs";
import { ADMIN_TOKEN } from "./servers.mjs";
import { sleep } from "./wrangler.mjs";

/** Sum of the per-day event counts of the bench app, from GET /v1/stats/events. */
export async function collectorAggregated(worker) {
  const { from, to } = statsWindow();
  const res = await fetch(`${worker.url}/v1/stats/events?app=${APP}&from=${from}&to=${to}`, {
    headers: { authorization: `Bearer ${ADMIN_TOKEN}` },
    signal: AbortSignal.timeout(10_000),
  });
  if (res.status !== 200) throw new Error(`stats answered ${res.status}: ${await res.text()}`);
  const stats = await res.json();
  let total = 0;
  for (const day of stats.days) for (const n of Object.values(day.events)) total += n;
  return total;
}

/** Rows a baseline Worker stored (the naive and direct-bulk Workers answer GET /count). */
export async function storedRows(worker) {
  const res = await fetch(`${worker.url}/count`, { signal: AbortSignal.timeout(10_000) });
  if (res.status !== 200) throw new Error(`count answered ${res.status}`);
  return (await res.json()).events;
}

/**
 * Polls `read()` until it reaches `target` or `timeoutMs` passes. Resolves with the last
 * value and the time (Date.now()) it was first seen at or above target (null if never).
 */
export async function waitUntil(read, target, { timeoutMs, pollMs = 100 }) {
  const deadline = Date.now() + timeoutMs;
  let value = await read();
  while (value < target && Date.now() < deadline) {
    await sleep(pollMs);
    value = await read();
  }
  return { value, reachedAt: value >= target ? Date.now() : null };
}
