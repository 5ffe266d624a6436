import fc from "fast-check";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createClient } from "../../packages/client/src/client";
import type { FetchLike } from "../../packages/client/src/http";
import { memoryStorage } from "../../packages/client/src/storage";
import { status } from "./helpers";

/**
 * Whatever the network does, the SDK's promises settle by their bound and never reject: the
 * collector down, a 429 with a long Retry-After, a 5xx, a server that takes the request and
 * never answers, a name that does not resolve. What was not delivered is counted in the result
 * and stays saved. (Fake clocks: "by the bound" is a fact about the clock, not a race.)
 */

const QUEUE = "edgehog.teleport-connect.queue";

/** A `fetch` like the platform's in each failure: it honours the abort signal as fetch does. */
const failures: Record<string, FetchLike> = {
  "collector down": async () => {
    throw new TypeError("fetch failed", { cause: { code: "ECONNREFUSED" } });
  },
  "DNS failure": async () => {
    throw new TypeError("fetch failed", { cause: { code: "ENOTFOUND" } });
  },
  "429, Retry-After an hour": async () =>
    status(429, { "retry-after": "3600" }, { error: "rate_limited", message: "slow down", limit: "app" }),
  "503, no Retry-After": async () => status(503),
  "never answers": (_url, init) =>
    new Promise((_resolve, reject) => {
      init.signal?.addEventListener("abort", () => reject(new DOMException("aborted", "AbortError")));
    }),
};

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
});

/** Starts `promise` and tells whether it settled (and never rejected) once the clock reached `ms`. */
async function settlesWithin<T>(promise: Promise<T>, ms: number): Promise<T> {
  let outcome: { value: T } | { error: unknown } | undefined;
  promise.then(
    (value) => {
      outcome = { value };
    },
    (error: unknown) => {
      outcome = { error };
    },
  );
  await vi.advanceTimersByTimeAsync(ms);
  if (outcome === undefined) throw new Error(`not settled after ${ms} ms`);
  if ("error" in outcome) throw new Error(`rejected: ${String(outcome.error)}`);
  return outcome.value;
}

describe("every promise settles by its bound, whatever the network does", () => {
  it.each(
    Object.keys(failures),
  )("%s: flush and shutdown resolve by timeoutMs, the events counted and kept", async (name) => {
    const fetch = failures[name] as FetchLike;
    await fc.assert(
      fc.asyncProperty(
        fc.integer({ min: 1, max: 20 }),
        fc.integer({ min: 0, max: 30_000 }),
        fc.integer({ min: 0, max: 30_000 }),
        async (events, flushMs, shutdownMs) => {
          const storage = memoryStorage();
          const errors: string[] = [];
          const client = createClient({
            host: "https://collector.test",
            app: "teleport-connect",
            consent: "granted",
            storage,
            fetch,
            flushAt: 1000,
            onError: (error) => errors.push(error.error),
          });
          for (let i = 0; i < events; i++) client.capture("connect.user.job_role", { job_role: `role-${i}` });
          const flushed = await settlesWithin(client.flush({ timeoutMs: flushMs }), flushMs);
          expect(flushed).toMatchObject({ sent: 0, rejected: 0, pending: events });
          const shut = await settlesWithin(client.shutdown({ timeoutMs: shutdownMs }), shutdownMs);
          expect(shut.pending).toBe(events);
          expect(JSON.parse(storage.getItem(QUEUE) ?? "[]")).toHaveLength(events);
        },
      ),
      { seed: 27, numRuns: 25 },
    );
  });

  it.each(Object.keys(failures))("%s: the defaults bound flush (10 s) and shutdown (5 s)", async (name) => {
    const client = createClient({
      host: "https://collector.test",
      app: "teleport-connect",
      consent: "granted",
      storage: memoryStorage(),
      fetch: failures[name] as FetchLike,
    });
    client.capture("connect.user.job_role", { job_role: "SRE" });
    expect((await settlesWithin(client.flush(), 10_000)).pending).toBe(1);
    expect((await settlesWithin(client.shutdown(), 5_000)).pending).toBe(1);
  });

  it.each(
    Object.keys(failures),
  )("%s: forget resolves by timeoutMs, the request kept for the next start", async (name) => {
    const storage = memoryStorage();
    const client = createClient({
      host: "https://collector.test",
      app: "teleport-connect",
      consent: "granted",
      storage,
      fetch: failures[name] as FetchLike,
    });
    const id = client.distinctId;
    const forgotten = await settlesWithin(client.forget({ timeoutMs: 3_000 }), 3_000);
    expect(forgotten).toEqual({ events: 0, installDays: 0, pending: 1 });
    expect(JSON.parse(storage.getItem("edgehog.teleport-connect.forget") ?? "[]")).toEqual([id]);
  });
});
