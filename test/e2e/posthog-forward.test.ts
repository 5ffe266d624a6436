import { randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";
import { PostHog } from "posthog-node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { digest, waitFor } from "./posthog";
import { type RunningCollector, startCollector } from "./wrangler-dev";

/**
 * Forwarding to an upstream PostHog, end to end: posthog-node sends to edgehog under wrangler
 * dev, which forwards what it accepted to a fake PostHog capture server on 127.0.0.1. What
 * arrives there is exactly the accepted events, anonymized, once each; while the fake answers
 * 503 forwarding waits and retries, and loses nothing.
 */

interface UpstreamPost {
  path: string;
  contentEncoding: string | undefined;
  status: number;
  body: {
    api_key: string;
    batch: {
      uuid: string;
      event: string;
      distinct_id: string;
      timestamp: string;
      properties: Record<string, unknown>;
    }[];
  };
}

/** A fake PostHog capture: the first `outage` posts get 503, the rest 200. */
async function fakePosthog(outage: number): Promise<{ url: string; posts: UpstreamPost[]; close(): Promise<void> }> {
  const posts: UpstreamPost[] = [];
  const server: Server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const raw = Buffer.concat(chunks);
      const encoding = req.headers["content-encoding"];
      const status = posts.length < outage ? 503 : 200;
      posts.push({
        path: req.url ?? "",
        contentEncoding: encoding,
        status,
        body: JSON.parse((encoding === "gzip" ? gunzipSync(raw) : raw).toString("utf8")),
      });
      res.writeHead(status, { "content-type": "application/json" });
      res.end(status === 200 ? '{"status":1}' : "transient error, please retry");
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    posts,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

const CATALOGUE_PROPERTIES = new Set([
  "cluster_name",
  "user_name",
  "protocol",
  "connector_type",
  "app_version",
  "os",
  "arch",
  "os_version",
]);

describe("forwarding accepted events to an upstream PostHog", () => {
  let upstream: Awaited<ReturnType<typeof fakePosthog>>;
  let collector: RunningCollector;
  beforeAll(async () => {
    upstream = await fakePosthog(2);
    collector = await startCollector({ vars: { POSTHOG_HOST: upstream.url, POSTHOG_API_KEY: "phc_e2e_project" } });
  });
  afterAll(async () => {
    await collector?.stop();
    await upstream?.close();
  });

  it("delivers exactly the accepted events, anonymized, once each, through an outage", async () => {
    const errors: unknown[] = [];
    const posthog = new PostHog("teleport-connect", { host: collector.url, flushAt: 100, flushInterval: 0 });
    posthog.on("error", (err) => errors.push(err));
    const install = randomUUID();
    const accepted = new Map<string, { event: string; properties: Record<string, unknown> }>();
    for (let i = 0; i < 30; i++) {
      const uuid = randomUUID();
      const event = i % 5 === 0 ? "connect.cluster.login" : "connect.protocol.use";
      const properties: Record<string, unknown> =
        event === "connect.cluster.login"
          ? {
              cluster_name: digest(),
              user_name: digest(),
              connector_type: "github",
              $set_once: { "connect.os": "darwin" },
            }
          : { cluster_name: digest(), user_name: digest(), protocol: "ssh", $ip: "203.0.113.50" };
      accepted.set(uuid, { event, properties });
      posthog.capture({ distinctId: install, event, properties, uuid });
    }
    // Refused by edgehog, so never forwarded: a plain user name, an event not in the catalogue.
    posthog.capture({
      distinctId: install,
      event: "connect.protocol.use",
      properties: { cluster_name: digest(), user_name: "alice@example.com", protocol: "ssh" },
    });
    posthog.capture({ distinctId: install, event: "$pageview", properties: { $current_url: "https://x" } });
    await posthog.flush();
    // The client sends the accepted events again (its answer was lost): edgehog accepts them again,
    // and the forwarder still sends each upstream once.
    for (const [uuid, { event, properties }] of accepted)
      posthog.capture({ distinctId: install, event, properties, uuid });
    await posthog.shutdown();
    expect(errors).toEqual([]);

    const delivered = () => upstream.posts.filter((post) => post.status === 200).flatMap((post) => post.body.batch);
    await waitFor(
      async () => delivered().length,
      (n) => n >= accepted.size,
      150_000,
    );
    await new Promise((resolve) => setTimeout(resolve, 8000)); // any late or repeated delivery would land now

    const events = delivered();
    expect(events.map((event) => event.uuid).sort()).toEqual([...accepted.keys()].sort());
    for (const event of events) {
      const original = accepted.get(event.uuid);
      expect(event.event).toBe(original?.event);
      expect(event.distinct_id).toBe(install);
      expect(event.properties.cluster_name).toBe(original?.properties.cluster_name); // still the digest
      expect(event.properties.user_name).toBe(original?.properties.user_name);
      expect(event.properties).toMatchObject({ $ip: null, $geoip_disable: true, $lib: "edgehog" });
      for (const name of Object.keys(event.properties)) {
        expect(CATALOGUE_PROPERTIES.has(name) || ["$ip", "$geoip_disable", "$lib"].includes(name), name).toBe(true);
      }
      if (event.event === "connect.cluster.login") expect(event.properties.os).toBe("darwin");
    }
    expect(JSON.stringify(upstream.posts)).not.toContain("203.0.113.50");
    expect(JSON.stringify(upstream.posts)).not.toContain("alice@example.com");
    for (const post of upstream.posts) {
      expect(post).toMatchObject({ path: "/batch/", contentEncoding: "gzip", body: { api_key: "phc_e2e_project" } });
    }
    // The outage was real: the first posts were refused and retried later.
    expect(upstream.posts.slice(0, 2).map((post) => post.status)).toEqual([503, 503]);

    const health = (await (
      await fetch(`${collector.url}/v1/stats/health`, { headers: { authorization: `Bearer ${collector.adminToken}` } })
    ).json()) as { forwarding: { enabled: boolean; apps: { app: string; forwarded: number; failed_posts: number }[] } };
    expect(health.forwarding.enabled).toBe(true);
    expect(health.forwarding.apps).toEqual([
      expect.objectContaining({ app: "teleport-connect", forwarded: accepted.size, failed_posts: 2 }),
    ]);
    console.log(
      `forwarding: ${accepted.size} accepted events (sent twice) arrived upstream once each, in ${upstream.posts.length} posts (${upstream.posts.filter((p) => p.status === 503).length} refused with 503 first)`,
    );
  }, 240_000);
});
