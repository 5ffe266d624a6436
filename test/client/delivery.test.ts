import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import { createClient } from "../../packages/client/src/client";
import { memoryStorage } from "../../packages/client/src/storage";
import type { ClientError, ClientOptions } from "../../packages/client/src/types";
import { accept, fakeCollector, type Respond, status } from "./helpers";

/**
 * Batching and delivery under fake clocks: when requests go out, what they carry, and how the
 * client backs off, splits and reports when the collector says no.
 */

const SECOND = 1000;

function client(respond?: Respond, options: Partial<ClientOptions<"teleport-connect">> = {}) {
  const collector = fakeCollector(respond);
  const errors: ClientError[] = [];
  const instance = createClient({
    host: "https://collector.test",
    app: "teleport-connect",
    consent: "granted",
    storage: memoryStorage(),
    fetch: collector.fetch,
    onError: (error) => errors.push(error),
    ...options,
  });
  const capture = (n: number, prefix = "role") => {
    for (let i = 0; i < n; i++) instance.capture("connect.user.job_role", { job_role: `${prefix}-${i}` });
  };
  return { client: instance, collector, errors, capture };
}

beforeEach(() => {
  vi.useFakeTimers();
});
afterEach(() => {
  vi.useRealTimers();
  vi.restoreAllMocks();
});

describe("batching", () => {
  it("sends as soon as flushAt events wait, all in one request", async () => {
    const { collector, capture } = client(undefined, { flushAt: 5, flushIntervalMs: 60 * SECOND });
    capture(4);
    await vi.advanceTimersByTimeAsync(0);
    expect(collector.requests).toHaveLength(0);
    capture(1, "fifth");
    await vi.advanceTimersByTimeAsync(0);
    expect(collector.requests).toHaveLength(1);
    expect(collector.requests[0]?.body.events).toHaveLength(5);
  });

  it("sends what waits flushIntervalMs after it was captured, and not before", async () => {
    const { collector, capture } = client(undefined, { flushAt: 50, flushIntervalMs: 10 * SECOND });
    capture(3);
    await vi.advanceTimersByTimeAsync(10 * SECOND - 1);
    expect(collector.requests).toHaveLength(0);
    await vi.advanceTimersByTimeAsync(1);
    expect(collector.events()).toHaveLength(3);
  });

  it("gives every event a random v4 uuid at capture time and each attempt its own sent_at", async () => {
    const {
      client: c,
      collector,
      capture,
    } = client((_, i) => (i === 0 ? status(503, { "retry-after": "2" }) : accept(_)));
    capture(3);
    const flushed = c.flush();
    await vi.advanceTimersByTimeAsync(3 * SECOND);
    expect((await flushed).sent).toBe(3);
    const [first, second] = collector.requests.map((r) => r.body);
    const uuids = first?.events?.map((e) => e.uuid);
    expect(uuids).toHaveLength(3);
    for (const uuid of uuids ?? [])
      expect(uuid).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(new Set(uuids).size).toBe(3);
    expect(second?.events?.map((e) => e.uuid)).toEqual(uuids);
    expect(Date.parse(second?.sent_at ?? "")).toBeGreaterThan(Date.parse(first?.sent_at ?? ""));
  });
});

describe("backoff", () => {
  it("doubles the delay after each network error, with jitter, within [d/2, d]", async () => {
    const { client: c, collector, capture } = client(() => "network_error", { retry: { attempts: 6 } });
    capture(1);
    const flushed = c.flush();
    await vi.advanceTimersByTimeAsync(60 * SECOND);
    const result = await flushed;
    expect(result).toMatchObject({ sent: 0, pending: 1 });
    // flush() gave up after 6 attempts; the client keeps retrying in the background, further apart.
    const gaps = collector.requests.slice(1).map((r, i) => r.at - (collector.requests[i]?.at ?? 0));
    expect(gaps.length).toBeGreaterThanOrEqual(5);
    gaps.forEach((gap, i) => {
      const ceiling = SECOND * 2 ** i;
      expect(gap).toBeGreaterThanOrEqual(ceiling / 2);
      expect(gap).toBeLessThanOrEqual(ceiling);
    });
  });

  it("never retries before Retry-After (429 or 503), and comes back within 20% after it", async () => {
    for (const code of [429, 503]) {
      const body = code === 429 ? { error: "rate_limited", message: "slow down", limit: "install" } : {};
      const {
        client: c,
        collector,
        errors,
        capture,
      } = client((_, i) => (i === 0 ? status(code, { "retry-after": "30" }, body) : accept(_)));
      capture(2);
      const flushed = c.flush({ timeoutMs: 60 * SECOND });
      await vi.advanceTimersByTimeAsync(30 * SECOND - 1);
      expect(collector.requests).toHaveLength(1);
      await vi.advanceTimersByTimeAsync(6 * SECOND + 1);
      expect(collector.requests).toHaveLength(2);
      expect((await flushed).sent).toBe(2);
      if (code === 429) expect(errors[0]).toEqual({ error: "rate_limited", message: "slow down (limit: install)" });
    }
  });

  it("sends nothing during a backoff, however many events arrive meanwhile", async () => {
    const { collector, capture } = client((_, i) => (i === 0 ? status(503, { "retry-after": "20" }) : accept(_)), {
      flushAt: 2,
    });
    capture(2);
    await vi.advanceTimersByTimeAsync(0);
    expect(collector.requests).toHaveLength(1);
    capture(10, "more");
    await vi.advanceTimersByTimeAsync(19 * SECOND);
    expect(collector.requests).toHaveLength(1);
    await vi.advanceTimersByTimeAsync(10 * SECOND);
    expect(collector.events().slice(2)).toHaveLength(12); // all of it, once the delay is over
  });

  it("gives up after `attempts` failed requests, keeping the events for later", async () => {
    const { client: c, collector, capture } = client(() => status(500), { retry: { attempts: 3 } });
    capture(2);
    const flushed = c.flush();
    await vi.advanceTimersByTimeAsync(30 * SECOND);
    expect(await flushed).toMatchObject({ sent: 0, rejected: 0, dropped: 0, pending: 2 });
    expect(collector.requests.length).toBeGreaterThanOrEqual(3);
  });
});

describe("what the collector says", () => {
  it("on 413 halves the batch and resends until everything fits, each event accepted once", async () => {
    const {
      client: c,
      collector,
      capture,
    } = client((request) =>
      (request.body.events?.length ?? 0) > 2
        ? status(413, {}, { error: "payload_too_large", message: "too big" })
        : accept(request),
    );
    capture(7);
    const result = c.flush();
    await vi.advanceTimersByTimeAsync(0);
    expect((await result).sent).toBe(7);
    const accepted = collector.requests
      .filter((r) => (r.body.events?.length ?? 0) <= 2)
      .flatMap((r) => r.body.events ?? []);
    expect(accepted.map((e) => e.properties.job_role).sort()).toEqual(Array.from({ length: 7 }, (_, i) => `role-${i}`));
  });

  it("rejects (and stops resending) an event that alone is too large", async () => {
    const { client: c, collector, capture } = client(() => status(413));
    capture(1);
    const result = await c.flush();
    expect(result).toMatchObject({ sent: 0, rejected: 1, pending: 0 });
    expect(result.rejections[0]?.error).toBe("too_large");
    expect(collector.requests).toHaveLength(1);
  });

  it("reports per-event rejections of a 202 and never resends them", async () => {
    const {
      client: c,
      collector,
      capture,
    } = client((request) =>
      Response.json(
        {
          accepted: 2,
          duplicates: 0,
          rejected: [
            {
              index: 1,
              uuid: request.body.events?.[1]?.uuid,
              error: "pii_detected",
              field: "properties.job_role",
              message: "an email",
            },
          ],
          dropped_properties: {},
        },
        { status: 202 },
      ),
    );
    capture(3);
    const result = await c.flush();
    const rejectedUuid = collector.requests[0]?.body.events?.[1]?.uuid;
    expect(result).toMatchObject({ sent: 2, rejected: 1, pending: 0 });
    expect(result.rejections).toEqual([
      {
        index: 1,
        id: rejectedUuid,
        uuid: rejectedUuid,
        error: "pii_detected",
        field: "properties.job_role",
        message: "an email",
      },
    ]);
    await vi.advanceTimersByTimeAsync(60 * SECOND);
    expect((await c.flush()).sent).toBe(0);
    expect(collector.requests).toHaveLength(1);
  });

  it("treats a 400 that names the whole batch (unknown app…) as a rejection, not a retry", async () => {
    const {
      client: c,
      collector,
      capture,
    } = client(() => status(400, {}, { error: "unknown_app", message: "not in the catalogue" }));
    capture(2);
    const result = await c.flush();
    expect(result).toMatchObject({ sent: 0, rejected: 2, pending: 0 });
    expect(result.rejections.map((r) => r.error)).toEqual(["unknown_app", "unknown_app"]);
    expect(collector.requests).toHaveLength(1);
  });
});

describe("maxQueue", () => {
  it("drops the oldest events beyond it and counts them", async () => {
    const {
      client: c,
      collector,
      errors,
      capture,
    } = client((_, i) => (i === 0 ? "network_error" : accept(_)), {
      maxQueue: 3,
      flushAt: 1_000,
    });
    capture(5);
    const result = c.flush();
    await vi.advanceTimersByTimeAsync(5 * SECOND);
    expect(await result).toMatchObject({ sent: 3, dropped: 2, pending: 0 });
    expect(collector.requests.at(-1)?.body.events?.map((e) => e.properties.job_role)).toEqual([
      "role-2",
      "role-3",
      "role-4",
    ]);
    expect(errors.some((e) => e.error === "queue_full")).toBe(true);
  });
});
