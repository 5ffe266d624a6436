import { createHmac } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { createClient } from "../../packages/client/src/client";
import { memoryStorage } from "../../packages/client/src/storage";
import type { ClientError } from "../../packages/client/src/types";
import { findApp } from "../../src/catalog/compile";
import { judgeEvent } from "../../src/ingest/judge-event";
import { fakeCollector } from "./helpers";

/**
 * Anonymization by construction: what `capture` sends for properties the catalogue marks
 * `anonymized`, and that the collector's own judge accepts what the SDK sends.
 */

const hmac = (key: string, value: string) => createHmac("sha256", key).update(value, "utf8").digest("base64");
const granted = { host: "https://collector.test", app: "teleport-connect", consent: "granted", flushAt: 1000 } as const;

describe("capture", () => {
  it("sends the HMAC of every anonymized property under the cluster key, never the value or the key", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: "grapheme", minLength: 1, maxLength: 40 }),
        fc.string({ unit: "grapheme", minLength: 1, maxLength: 40 }),
        fc.uuid({ version: 4 }),
        fc.boolean(),
        async (clusterName, userName, clusterKey, keyPerClient) => {
          const collector = fakeCollector();
          const properties = { cluster_name: clusterName, user_name: userName, protocol: "ssh" } as const;
          const options = { ...granted, storage: memoryStorage(), fetch: collector.fetch };
          if (keyPerClient) {
            const client = createClient({ ...options, clusterKey });
            client.capture("connect.protocol.use", properties);
            await client.flush();
          } else {
            const client = createClient(options);
            client.capture("connect.protocol.use", properties, { clusterKey });
            await client.flush();
          }
          const [request] = collector.requests;
          expect(request?.body.events?.[0]?.properties).toEqual({
            cluster_name: hmac(clusterKey, clusterName),
            user_name: hmac(clusterKey, userName),
            protocol: "ssh",
          });
          expect(JSON.stringify(request)).not.toContain(clusterKey);
        },
      ),
      { seed: 14, numRuns: 50 },
    );
  });

  it("sends only declared properties (the app's common ones included)", async () => {
    const collector = fakeCollector();
    const client = createClient({
      ...granted,
      clusterKey: "k",
      properties: { app_version: "17.0.1", os: "linux" },
      storage: memoryStorage(),
      fetch: collector.fetch,
    });
    client.capture("connect.cluster.login", {
      cluster_name: "c",
      user_name: "u",
      connector_type: "saml",
      // @ts-expect-error `email` is not a property of connect.cluster.login
      email: "alice@example.com",
    });
    await client.flush();
    expect(Object.keys(collector.events()[0]?.properties ?? {}).sort()).toEqual([
      "app_version",
      "cluster_name",
      "connector_type",
      "os",
      "user_name",
    ]);
  });

  it("drops (and counts, and reports) an event it cannot anonymize or does not know", async () => {
    const collector = fakeCollector();
    const errors: ClientError[] = [];
    const client = createClient({
      ...granted,
      storage: memoryStorage(),
      fetch: collector.fetch,
      onError: (e) => errors.push(e),
    });
    // @ts-expect-error without a client-wide key, an anonymizing event needs one
    client.capture("connect.accessRequest.review", { cluster_name: "c", user_name: "u" });
    // @ts-expect-error not an event of the catalogue
    client.capture("connect.cluster.logn", {});
    client.capture("connect.accessRequest.review", { cluster_name: "c", user_name: "u" }, { clusterKey: " " });
    expect(await client.flush()).toMatchObject({ sent: 0, dropped: 3 });
    expect(errors.map((e) => e.error)).toEqual(["missing_cluster_key", "unknown_event", "anonymize_failed"]);
    expect(errors[2]?.message).toMatch(/must not be empty/);
    expect(collector.requests).toEqual([]);
  });

  it("sends what the collector's own judge accepts, for every event of the catalogue", async () => {
    const app = findApp("teleport-connect");
    if (!app) throw new Error("teleport-connect is not in the catalogue");
    const collector = fakeCollector();
    const client = createClient({
      ...granted,
      clusterKey: "cluster-id",
      properties: { app_version: "17.0.1", os: "darwin", arch: "arm64", os_version: "23.1.0" },
      storage: memoryStorage(),
      fetch: collector.fetch,
    });
    const names = { cluster_name: "teleport.example.com", user_name: "alice@example.com" };
    client.capture("connect.cluster.login", { ...names, connector_type: "github" });
    client.capture("connect.protocol.use", { ...names, protocol: "db", origin: "search_bar", access_through: "vnet" });
    client.capture("connect.accessRequest.create", { ...names, kind: "role" });
    client.capture("connect.accessRequest.review", names);
    client.capture("connect.accessRequest.assumeRole", names);
    client.capture("connect.fileTransfer.run", { ...names, is_upload: true });
    client.capture("connect.user.job_role", { job_role: "Software Engineer" });
    client.capture("connect.connectMyComputer.setup", { ...names, success: false, failed_step: "download" });
    client.capture("connect.connectMyComputer.agentStart", names);
    expect((await client.flush()).sent).toBe(9);
    const context = {
      app,
      receivedAt: Date.now(),
      sentAt: undefined,
      tenantId: null,
      maxEventBytes: 8192,
      maxStringLength: 256,
      maxAgeMs: 30 * 86_400_000,
    };
    const verdicts = collector.events().map((event) => judgeEvent(event, context));
    expect(verdicts.filter((v) => !v.ok)).toEqual([]);
    expect(verdicts.flatMap((v) => (v.ok ? v.value.dropped : []))).toEqual([]);
    expect(new Set(collector.events().map((e) => e.event)).size).toBe(app.events.size);
  });
});
