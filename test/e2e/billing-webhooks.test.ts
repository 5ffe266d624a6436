import { execFile } from "node:child_process";
import { createHmac, randomBytes, randomUUID } from "node:crypto";
import { createServer, type Server } from "node:http";
import type { AddressInfo } from "node:net";
import { promisify } from "node:util";
import { Webhook } from "standardwebhooks";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningCollector, startCollector } from "./wrangler-dev";

/**
 * Billing's webhooks over the wire: the collector under `wrangler dev` with its real webhook
 * queue, a receiver on 127.0.0.1 (a Node HTTP server) that verifies every signature with the
 * `standardwebhooks` package and dedupes by `webhook-id`, and answers its first post 503 (the
 * queue retries it). The tenant and its contract come through `npm run tenant`, its reports
 * through `POST /v1/usage`, and the cron runs at chosen times (miniflare's
 * `/cdn-cgi/handler/scheduled?time=`): now (the
 * contract's thresholds), a day later (silent), after the period is final, and now again
 * (reporting resumed).
 */

const SECRET = `whsec_${randomBytes(32).toString("base64")}`;
const HOUR = 3_600_000;
const mac = (value: string) => createHmac("sha256", "wire-test-cluster").update(value).digest("base64");

interface Received {
  id: string;
  type: string;
  data: Record<string, unknown>;
}

describe("billing webhooks to a local receiver, under wrangler dev", () => {
  let collector: RunningCollector;
  let server: Server;
  const received: Received[] = [];
  const posts: { id: string; status: number }[] = [];
  const refused: string[] = [];
  const now = Date.now();

  beforeAll(async () => {
    server = createServer((req, res) => {
      let body = "";
      req.on("data", (chunk) => {
        body += chunk;
      });
      req.on("end", () => {
        const headers = Object.fromEntries(Object.entries(req.headers).map(([k, v]) => [k, String(v)]));
        const id = headers["webhook-id"] ?? "";
        let event: { type: string; data: Record<string, unknown> };
        try {
          event = new Webhook(SECRET).verify(body, headers) as typeof event;
        } catch (err) {
          refused.push(String(err));
          res.writeHead(401).end();
          return;
        }
        const status = posts.length === 0 ? 503 : 200;
        posts.push({ id, status });
        if (status === 200 && !received.some((r) => r.id === id)) received.push({ id, ...event });
        res.writeHead(status).end();
      });
    });
    await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
    const { port } = server.address() as AddressInfo;
    collector = await startCollector({
      vars: { BILLING_WEBHOOK_URL: `http://127.0.0.1:${port}/hooks`, BILLING_WEBHOOK_SECRET: SECRET },
    });
  });
  afterAll(async () => {
    await collector?.stop();
    await new Promise((resolve) => server?.close(resolve));
  });

  const tenant = async (...args: string[]) =>
    (
      await promisify(execFile)(process.execPath, ["scripts/tenant.mjs", ...args, "--url", collector.url], {
        env: { ...process.env, EDGEHOG_ADMIN_TOKEN: collector.adminToken },
      })
    ).stdout
      .trim()
      .split("\n");
  const cron = async (time: number) => {
    const res = await fetch(`${collector.url}/cdn-cgi/handler/scheduled?cron=17+*+*+*+*&time=${time}`);
    expect(res.status).toBe(200);
  };
  const report = async (token: string, start: number) => {
    const res = await fetch(`${collector.url}/v1/usage`, {
      method: "POST",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({
        reports: [
          {
            kind: "user_activity",
            report_uuid: randomUUID(),
            cluster_name: mac("wire-cluster"),
            reporter_hostid: mac("auth"),
            start_time: new Date(start).toISOString(),
            records: ["ann", "bob"].map((u) => ({ user_name: mac(u), user_kind: "human", logins: 1 })),
          },
        ],
      }),
    });
    expect(res.status).toBe(202);
  };
  /** Waits for `n` verified events (the queue delivers within seconds; a retry waits 10 s). */
  const waitFor = async (n: number) => {
    const deadline = Date.now() + 45_000;
    while (received.length < n && Date.now() < deadline) await new Promise((r) => setTimeout(r, 250));
    if (received.length !== n) {
      const auth = { headers: { authorization: `Bearer ${collector.adminToken}` } };
      console.log(JSON.stringify((await (await fetch(`${collector.url}/v1/stats/health`, auth)).json()).cron, null, 1));
      console.log(JSON.stringify(await (await fetch(`${collector.url}/v1/billing/reporting`, auth)).json(), null, 1));
    }
    expect(received.length).toBe(n);
  };

  it("delivers thresholds, a silence, a final period and the resumption, each once, signed", async () => {
    await tenant("create", "wire-co");
    expect(
      (await tenant("contract", "wire-co", "--plan", "enterprise", "--reporting-required", "--mau", "2"))[0],
    ).toContain("plan enterprise, reporting required since");
    const token = (await tenant("token", "wire-co")).at(-1) ?? "";
    await report(token, now - 10 * 60_000);

    await cron(now);
    await waitFor(2); // the first post answered 503: retried by the queue
    expect(received.map((r) => [r.type, r.data.figure, r.data.level])).toEqual([
      ["billing.usage.threshold", "mau", 90],
      ["billing.usage.threshold", "mau", 100],
    ]);
    expect(posts[0]?.status).toBe(503);
    expect(posts.filter((p) => p.id === posts[0]?.id).map((p) => p.status)).toEqual([503, 200]);

    await cron(now + 27 * HOUR);
    await waitFor(4);
    expect(received.slice(2).map((r) => [r.type, r.data.cluster_name])).toEqual([
      ["reporting.silent", null],
      ["reporting.silent", mac("wire-cluster")],
    ]);

    await cron(now + 40 * 24 * HOUR);
    await waitFor(5);
    expect(received[4]).toMatchObject({ type: "billing.period.final", data: { mau: 2, contracted: { mau: 2 } } });

    await report(token, now);
    await cron(now + 60_000);
    await waitFor(7);
    expect(received.slice(5).map((r) => r.type)).toEqual(["reporting.resumed", "reporting.resumed"]);

    console.log(`received over the wire, in order:\n  ${received.map((r) => `${r.type} ${r.id}`).join("\n  ")}`);
    expect(refused).toEqual([]);
    expect(new Set(received.map((r) => r.id)).size).toBe(7);
    // Every event was taken once: no id got a second 2xx.
    const taken = posts.filter((p) => p.status === 200).map((p) => p.id);
    expect(new Set(taken).size).toBe(taken.length);
  }, 120_000);
});
