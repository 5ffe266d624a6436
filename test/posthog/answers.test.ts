import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { eventually } from "../helpers/events";
import { call } from "../helpers/harness";
import { recordingQueue } from "../helpers/queue";
import { posthogJsEvent, send } from "./helpers";

/**
 * The answers PostHog's SDKs understand: 200 {"status":1} when the request was taken (the
 * per-event verdicts listed, the rejections counted as visible drops), 400/413/429/503 with
 * PostHog's meaning and Retry-After, and valid empty answers to flags and remote config.
 */

const batch = (events: unknown[], extra: Record<string, unknown> = {}) =>
  JSON.stringify({ api_key: "teleport-connect", batch: events, ...extra });

describe("answers to PostHog's SDKs", () => {
  it("200 {status: 1} listing each rejection, and the rejections counted in the stats", async () => {
    const good = posthogJsEvent();
    const plain = posthogJsEvent({}, { user_name: "alice" });
    const pageview = posthogJsEvent({ event: "$pageview" });
    const res = await call("/batch/", {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: batch([good, plain, pageview, good]),
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      status: 1,
      accepted: 1,
      duplicates: 1,
      rejected: [
        expect.objectContaining({ index: 1, uuid: plain.uuid, error: "not_anonymized", field: "properties.user_name" }),
        expect.objectContaining({ index: 2, uuid: pageview.uuid, error: "unknown_event" }),
      ],
      dropped_properties: {},
      reduced_properties: {},
    });
    // Even a batch with nothing accepted is 200: sending it again would never succeed.
    const none = await send("/batch/", { body: batch([pageview]) });
    expect(none).toMatchObject({ status: 200, body: { status: 1, accepted: 0 } });

    const rejected = await eventually(async () => {
      const rows = await env.DB.prepare(
        "SELECT error, count FROM daily_rejections WHERE app = 'teleport-connect' AND error IN ('not_anonymized', 'unknown_event')",
      ).all<{ error: string; count: number }>();
      return rows.results.length === 2 ? rows.results : undefined;
    });
    expect(Object.fromEntries(rejected.map((r) => [r.error, r.count]))).toEqual({
      not_anonymized: 1,
      unknown_event: 1,
    });
  });

  it("413 for too many events, which posthog-node answers by halving its batch", async () => {
    const answer = await send(
      "/batch/",
      { body: batch([posthogJsEvent(), posthogJsEvent()]) },
      { MAX_EVENTS_PER_BATCH: "1" },
    );
    expect(answer).toMatchObject({ status: 413, body: { error: "too_many_events" }, stored: [] });
  });

  it("429 with Retry-After when a rate limit refuses, with nothing stored", async () => {
    const install = crypto.randomUUID();
    const events = [1, 2, 3].map(() => posthogJsEvent({}, { distinct_id: install }));
    const answer = await send(
      "/batch/",
      { body: batch(events), headers: { "cf-connecting-ip": "198.51.100.16" } },
      { RATE_LIMIT_INSTALL_CAPACITY: "2" },
    );
    expect(answer).toMatchObject({ status: 429, body: { error: "rate_limited", limit: "install" }, stored: [] });
    expect(answer.headers.get("retry-after")).toMatch(/^\d+$/);
  });

  it("503 with Retry-After when the events queue fails: the SDK keeps its events and retries", async () => {
    const failing = recordingQueue({ fail: "throw" }).queue;
    const answer = await send("/batch/", { body: batch([posthogJsEvent()]) }, { EVENTS_QUEUE: failing });
    expect(answer).toMatchObject({ status: 503, body: { error: "storage_unavailable" } });
    expect(answer.headers.get("retry-after")).toMatch(/^\d+$/);
  });

  it("an empty, valid 'no flags' answer to /flags and /decide, whatever is asked", async () => {
    for (const path of ["/flags/?v=2", "/flags", "/flags/?v=2&config=true", "/decide/?v=4", "/decide"]) {
      for (const method of ["GET", "POST"]) {
        const res = await call(`${path}`, {
          method,
          body: method === "POST" ? JSON.stringify({ token: "teleport-connect", distinct_id: "x" }) : undefined,
        });
        expect(res.status, `${method} ${path}`).toBe(200);
        const body = (await res.json()) as Record<string, unknown>;
        expect(body).toMatchObject({
          flags: {},
          featureFlags: {},
          featureFlagPayloads: {},
          errorsWhileComputingFlags: false,
        });
        const withConfig = path.startsWith("/decide") || path.includes("config=true");
        expect(body.hasFeatureFlags, path).toBe(withConfig ? false : undefined);
      }
    }
  });

  it("a remote config that turns off what edgehog would refuse, as JSON and as a script", async () => {
    const json = await call("/array/teleport-connect/config");
    expect(json.status).toBe(200);
    expect(await json.json()).toMatchObject({
      token: "teleport-connect",
      hasFeatureFlags: false,
      supportedCompression: expect.arrayContaining(["gzip-js", "base64"]),
      autocapture_opt_out: true,
      sessionRecording: false,
    });
    const script = await call("/array/teleport-connect/config.js");
    expect(script.headers.get("content-type")).toContain("javascript");
    const scope: { _POSTHOG_REMOTE_CONFIG?: Record<string, { config: { hasFeatureFlags: boolean } }> } = {};
    new Function("window", await script.text())(scope);
    expect(scope._POSTHOG_REMOTE_CONFIG?.["teleport-connect"]?.config.hasFeatureFlags).toBe(false);

    expect((await call("/array/phc_unknown/config")).status).toBe(404);
  });
});
