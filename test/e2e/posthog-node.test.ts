import { randomUUID } from "node:crypto";
import { PostHog } from "posthog-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { uuidV7Time } from "../../src/aggregate/dedupe-keys";
import { uuidv7 } from "../helpers/uuidv7";
import {
  countsAround,
  type DayCounts,
  decodeBody,
  digest,
  installedVersion,
  type SentRequest,
  waitFor,
} from "./posthog";
import { type RunningCollector, startCollector } from "./wrangler-dev";

/**
 * The stock posthog-node SDK, pointed at edgehog under wrangler dev: capture, batching, flush
 * and shutdown deliver into the ingest core; the stored counts match what was captured; its
 * error hook stays silent; flags come back empty; resending the same events counts nothing twice.
 */
describe(`posthog-node ${installedVersion("posthog-node")} against edgehog`, () => {
  let collector: RunningCollector;
  beforeAll(async () => {
    collector = await startCollector();
  });
  afterAll(async () => {
    await collector?.stop();
  });

  /** A client that records what it sends, through posthog-node's own fetch option. */
  function client(sent: SentRequest[], bodies: unknown[], errors: unknown[]) {
    const posthog = new PostHog("teleport-connect", {
      host: collector.url,
      flushAt: 5,
      flushInterval: 0,
      fetch: async (url, options) => {
        const headers = options.headers;
        const body =
          options.body === undefined ? undefined : Buffer.from(await new Response(options.body).arrayBuffer());
        const res = await fetch(url, { ...options, body });
        sent.push({
          method: options.method,
          path: new URL(url).pathname,
          contentType: headers["Content-Type"],
          contentEncoding: headers["Content-Encoding"],
          magic: body?.subarray(0, 2).toString("hex") ?? "",
          status: res.status,
        });
        if (body && new URL(url).pathname === "/batch/") bodies.push(decodeBody(body));
        return res;
      },
    });
    posthog.on("error", (err) => errors.push(err));
    return posthog;
  }

  it("delivers captured events through batching, flush and shutdown; the counts match, nothing errs", async () => {
    const sent: SentRequest[] = [];
    const bodies: unknown[] = [];
    const errors: unknown[] = [];
    const posthog = client(sent, bodies, errors);
    const installs = Array.from({ length: 4 }, () => randomUUID());
    const captured: {
      uuid: string;
      distinctId: string;
      event: string;
      properties: Record<string, unknown>;
      timestamp: Date;
    }[] = [];
    const capture = (i: number) => {
      // Half the events carry a version 7 uuid (what posthog-node makes itself), half a version 4.
      const uuid = i % 2 === 0 ? uuidv7() : randomUUID();
      const timestamp = new Date();
      const event = i % 3 === 0 ? "connect.cluster.login" : "connect.protocol.use";
      const properties =
        event === "connect.cluster.login"
          ? {
              cluster_name: digest(),
              user_name: digest(),
              connector_type: "saml",
              $set_once: { "connect.os": "linux", "connect.app_version": "17.0.1" },
            }
          : { cluster_name: digest(), user_name: digest(), protocol: "db", app_version: "17.0.1", os: "darwin" };
      const distinctId = installs[i % installs.length] as string;
      captured.push({ uuid, distinctId, event, properties, timestamp });
      posthog.capture({ distinctId, event, properties, uuid, timestamp });
    };

    for (let i = 0; i < 12; i++) capture(i); // flushAt 5: two batches leave on their own
    await posthog.flush();
    for (let i = 12; i < 20; i++) capture(i);
    await posthog.captureImmediate({
      distinctId: installs[0] as string,
      event: "connect.protocol.use",
      properties: { cluster_name: digest(), user_name: digest(), protocol: "kube" },
    });
    // A flag check with flags on: edgehog answers "no flags", the SDK takes it without an error.
    expect(await posthog.getAllFlags(installs[0] as string)).toEqual({});
    const flags = await posthog.evaluateFlags(installs[0] as string);
    expect(flags.isEnabled("new-ui")).toBe(false);
    expect(flags.getFlag("new-ui")).toBeUndefined();
    await posthog.shutdown();

    expect(errors).toEqual([]);
    const batches = sent.filter((r) => r.path === "/batch/");
    expect(batches.length).toBeGreaterThanOrEqual(3);
    for (const request of batches) {
      expect(request).toMatchObject({ method: "POST", contentType: "application/json", contentEncoding: "gzip" });
      expect(request.magic).toBe("1f8b");
      expect(request.status).toBe(200);
    }
    expect(sent.filter((r) => r.path !== "/batch/").map((r) => `${r.method} ${r.path} ${r.status}`)).toEqual([
      "POST /flags/ 200",
      "POST /flags/ 200",
    ]);
    const sentEvents = bodies.flatMap((body) => (body as { batch: { event: string }[] }).batch);
    // The SDK's own events (the flag check reports `$feature_flag_called`) are not in the catalogue.
    const sdkEvents = sentEvents.filter((event) => event.event.startsWith("$"));
    expect(sentEvents.length - sdkEvents.length).toBe(21);
    console.log(
      `posthog-node ${installedVersion("posthog-node")} sent ${batches.length} POST /batch/ (application/json, gzip) with ${sentEvents.length} events (${sdkEvents.map((e) => e.event).join(", ")} among them)`,
    );

    const expected = { "connect.cluster.login": 7, "connect.protocol.use": 14 };
    const counts = await waitFor(
      () => countsAround(collector, "teleport-connect"),
      (c: DayCounts) => Object.values(c.events).reduce((a, b) => a + b, 0) >= 21,
    );
    expect(counts.events).toEqual(expected);
    // Refused and counted as visible drops, not silently lost.
    expect(counts.rejected).toEqual(sdkEvents.length > 0 ? { unknown_event: sdkEvents.length } : {});

    // The same events sent again by another client, a second later: each as a retry after a lost
    // answer sends it (same uuid and timestamp), and the v7 ones captured anew (same uuid, a new
    // timestamp: the uuid's own time is the key). Nothing doubles.
    await new Promise((resolve) => setTimeout(resolve, 1100));
    const again = client([], [], errors);
    for (const { timestamp, ...event } of captured) {
      again.capture(uuidV7Time(event.uuid) === undefined ? { ...event, timestamp } : event);
    }
    await again.shutdown();
    expect(errors).toEqual([]);
    await new Promise((resolve) => setTimeout(resolve, 3000));
    expect((await countsAround(collector, "teleport-connect")).events).toEqual(expected);
  });
});
