import { randomBytes, randomUUID } from "node:crypto";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { ROOT } from "../../scripts/lib/wrangler.mjs";
import { adminHeaders, eventsOnceCounted } from "./prehog-collector";
import { type RunningCollector, startCollector } from "./wrangler-dev";

/**
 * The Worker as it is deployed, split into modules (scripts/build-worker.mjs), under `wrangler
 * dev`: each part a cold start does not load is a module of its own in the build, and a request,
 * a delivery or a cron run that needs it loads it and is answered by it in workerd. Other suites
 * go deeper into each (prehog.test.ts, collector.test.ts, duckdb.test.ts, posthog-forward.test.ts,
 * billing-webhooks.test.ts; the dashboard in the browser suite).
 */

interface Metafile {
  outputs: Record<string, { entryPoint?: string; imports: { path: string; kind: string }[] }>;
}

const digest = () => randomBytes(32).toString("base64");
const today = () => new Date().toISOString().slice(0, 10);

describe("the parts loaded on first use, in the built Worker under wrangler dev", () => {
  let collector: RunningCollector;
  let meta: Metafile;
  beforeAll(async () => {
    // wrangler dev runs the build first: dist/ is what it serves.
    collector = await startCollector();
    meta = JSON.parse(readFileSync(join(ROOT, "dist/worker.meta.json"), "utf8")) as Metafile;
  });
  afterAll(async () => {
    await collector?.stop();
  });

  it("serves the build: each part a module of its own, none imported statically by the main module", () => {
    const wrangler = readFileSync(join(ROOT, "wrangler.toml"), "utf8");
    expect(wrangler).toMatch(/^main = "\.\/dist\/worker\/index\.js"$/m);
    const loadedCold = new Set<string>();
    const visit = (output: string) => {
      if (loadedCold.has(output)) return;
      loadedCold.add(output);
      for (const i of meta.outputs[output]?.imports ?? []) if (i.kind === "import-statement") visit(i.path);
    };
    visit("dist/worker/index.js");
    const moduleOf = (entry: string) =>
      Object.entries(meta.outputs).find(([output, o]) => o.entryPoint === entry && output.endsWith(".js"))?.[0];
    for (const entry of [
      "src/prehog/routes.ts",
      "src/operator-api.ts",
      "src/dashboard/routes.tsx",
      "src/reference/routes.tsx",
      "src/aggregate/consumer.ts",
      "src/forward/consumer.ts",
      "src/billing/webhooks/consumer.ts",
      "src/deadletters/consumer.ts",
      "src/scheduled.ts",
      "src/archive/parquet-read.ts",
    ]) {
      const module = moduleOf(entry);
      expect(module, entry).toBeDefined();
      expect(loadedCold.has(module ?? ""), entry).toBe(false);
    }
  });

  it("answers the prehog door's RPCs (protobuf, Connect)", async () => {
    // No tenant token: the Connect router refuses it as unauthenticated, in Connect's form.
    const res = await fetch(`${collector.url}/prehog.v1alpha.TeleportReportingService/SubmitEvents`, {
      method: "POST",
      headers: { "content-type": "application/json", "connect-protocol-version": "1" },
      body: JSON.stringify({ events: [] }),
    });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({
      code: "unauthenticated",
      message: expect.stringMatching(/^unauthorized/),
    });
    const unknown = await fetch(`${collector.url}/prehog.v1alpha.TeleportReportingService/NoSuchMethod`, {
      method: "POST",
    });
    expect(unknown.status).toBe(404);
    expect(await unknown.json()).toMatchObject({ error: "not_found" });
  });

  it("answers the operator API, the API reference and the dashboard", async () => {
    const health = await fetch(`${collector.url}/v1/stats/health`, { headers: adminHeaders(collector) });
    expect(health.status).toBe(200);
    expect(health.headers.get("cache-control")).toBe("no-store");
    const document = (await (await fetch(`${collector.url}/openapi.json`)).json()) as {
      paths: Record<string, unknown>;
    };
    for (const path of [
      "/v1/events",
      "/v1/stats/health",
      "/dashboard/login",
      "/prehog.v1.TeleportReportingService/SubmitUsageReports",
      "/docs",
    ]) {
      expect(Object.keys(document.paths)).toContain(path);
    }
    const docs = await fetch(`${collector.url}/docs`);
    expect(docs.status).toBe(200);
    expect(await docs.text()).toContain("/v1/stats/health");
    const signIn = await fetch(`${collector.url}/dashboard/login`, {
      method: "POST",
      redirect: "manual",
      headers: {
        "content-type": "application/x-www-form-urlencoded",
        origin: collector.url,
        "sec-fetch-site": "same-origin",
      },
      body: new URLSearchParams({ token: collector.adminToken }),
    });
    expect(signIn.status).toBe(303);
    const cookie = signIn.headers.get("set-cookie")?.split(";")[0] ?? "";
    const page = await fetch(`${collector.url}/dashboard/health`, { headers: { cookie, accept: "text/html" } });
    expect(page.status).toBe(200);
    expect(await page.text()).toMatch(/<html/);
  });

  it("stores a delivery with the consumer (Parquet written), reads it back from the archive, and runs the cron", async () => {
    const uuid = randomUUID();
    const sent = await fetch(`${collector.url}/v1/events`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        app: "teleport-connect",
        events: [
          {
            uuid,
            event: "connect.protocol.use",
            distinct_id: randomUUID(),
            timestamp: new Date().toISOString(),
            properties: {
              cluster_name: digest(),
              user_name: digest(),
              protocol: "ssh",
              app_version: "17.0.1",
              os: "linux",
            },
          },
        ],
      }),
    });
    expect(sent.status).toBe(202);
    await eventsOnceCounted(collector, today(), (s) => (s.events["connect.protocol.use"] ?? 0) >= 1);
    // The archive's reader (hyparquet) reads the object the consumer's writer wrote.
    const archived = await fetch(`${collector.url}/v1/admin/archive/events?day=${today()}&app=teleport-connect`, {
      headers: adminHeaders(collector),
    });
    expect(archived.status).toBe(200);
    expect(await archived.text()).toContain(uuid);
    const cron = await fetch(`${collector.url}/cdn-cgi/handler/scheduled?cron=17+*+*+*+*`);
    expect(cron.status).toBe(200);
    const health = (await (
      await fetch(`${collector.url}/v1/stats/health`, { headers: adminHeaders(collector) })
    ).json()) as { cron: { job: string; ok: boolean }[] };
    expect(health.cron.map((run) => run.job)).toContain("archive");
    expect(health.cron.every((run) => run.ok)).toBe(true);
  });
});
