import { readFileSync } from "node:fs";
import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningCollector, startCollector } from "../e2e/wrangler-dev";
import { launchChromium, servePages } from "./chromium";

/**
 * The built browser bundle (packages/client/dist/edgehog.min.js) in a web UI on another origin, in
 * Chromium: the user allows collection, events are captured (and kept in localStorage, since
 * nothing is due yet), the page is closed, and the keepalive request sent on page hide delivers them.
 */

const bundle = () => readFileSync(new URL("../../packages/client/dist/edgehog.min.js", import.meta.url), "utf8");

const page = `<!doctype html>
<title>web ui</title>
<p>Are you OK sending anonymized usage data about Teleport? This will help us improve the product.</p>
<button id="allow">Allow</button> <button id="decline">Decline</button>
<script type="module">
  import { createClient } from "/edgehog.min.js";
  const host = new URL(location.href).searchParams.get("collector");
  // Nothing is due before the page closes: no flushAt reached, no interval elapsed.
  const client = createClient({ host, app: "teleport-connect", clusterKey: "cluster-id", flushAt: 1000, flushIntervalMs: 600000 });
  document.getElementById("allow").onclick = () => client.setConsent(true);
  document.getElementById("decline").onclick = () => client.setConsent(false);
  window.edgehog = client;
</script>`;

const QUEUE = "edgehog.teleport-connect.queue";

describe("the browser bundle in Chromium", () => {
  let collector: RunningCollector;
  let browser: Browser;
  let pages: Awaited<ReturnType<typeof servePages>>;

  beforeAll(async () => {
    [collector, browser] = await Promise.all([startCollector(), launchChromium()]);
    pages = await servePages({ "/": page, "/edgehog.min.js": bundle() });
  });
  afterAll(async () => {
    await browser?.close();
    await pages?.close();
    await collector?.stop();
  });

  it("sends what was captured after Allow when the page is closed (keepalive on page hide)", async () => {
    const context = await browser.newContext();
    const tab = await context.newPage();
    const sent: string[] = [];
    tab.on("request", (request) => {
      if (request.url().startsWith(collector.url)) sent.push(request.url());
    });
    await tab.goto(`${pages.url}/?collector=${encodeURIComponent(collector.url)}`);
    await tab.waitForFunction(() => "edgehog" in window);
    await tab.click("#allow");
    await tab.evaluate(() => {
      const client = (window as unknown as { edgehog: { capture(e: string, p: unknown): void } }).edgehog;
      for (const protocol of ["ssh", "db", "kube", "app", "desktop"]) {
        client.capture("connect.protocol.use", { cluster_name: "teleport.example.com", user_name: "alice", protocol });
      }
    });
    await tab.waitForFunction((key) => JSON.parse(localStorage.getItem(key) ?? "[]").length === 5, QUEUE);
    const saved = await tab.evaluate((key) => localStorage.getItem(key) ?? "", QUEUE);
    expect(saved).not.toContain("alice");
    expect(saved).not.toContain("teleport.example.com");
    expect(sent).toEqual([]); // nothing went out while the page was open

    // Closing the tab fires pagehide: the one way these events can reach the collector now.
    await tab.close({ runBeforeUnload: true });

    const day = new Date().toISOString().slice(0, 10);
    const deadline = Date.now() + 20_000;
    for (;;) {
      const res = await fetch(`${collector.url}/v1/stats/events?app=teleport-connect&from=${day}&to=${day}`, {
        headers: { authorization: `Bearer ${collector.adminToken}` },
      });
      const stats = (await res.json()) as { days: { events: Record<string, number>; active_installs: number }[] };
      if (stats.days[0]?.events["connect.protocol.use"] === 5) {
        expect(stats.days[0].active_installs).toBe(1);
        break;
      }
      if (Date.now() > deadline) throw new Error(`the 5 events did not arrive: ${JSON.stringify(stats)}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
    await context.close();
  });

  it("after Decline, queues and sends nothing, and remembers the answer on the next visit", async () => {
    const context = await browser.newContext();
    const tab = await context.newPage();
    const sent: string[] = [];
    tab.on("request", (request) => {
      if (request.url().startsWith(collector.url)) sent.push(request.url());
    });
    const url = `${pages.url}/?collector=${encodeURIComponent(collector.url)}`;
    await tab.goto(url);
    await tab.waitForFunction(() => "edgehog" in window);
    await tab.click("#decline");
    const flushed = await tab.evaluate(async () => {
      const client = (
        window as unknown as { edgehog: { capture(e: string, p: unknown): void; flush(): Promise<unknown> } }
      ).edgehog;
      client.capture("connect.user.job_role", { job_role: "SRE" });
      return client.flush();
    });
    expect(flushed).toMatchObject({ sent: 0, pending: 0 });
    await tab.reload();
    await tab.waitForFunction(() => "edgehog" in window);
    expect(await tab.evaluate(() => (window as unknown as { edgehog: { consent: string } }).edgehog.consent)).toBe(
      "denied",
    );
    expect(await tab.evaluate((key) => localStorage.getItem(key), QUEUE)).toBeNull();
    expect(sent).toEqual([]);
    await context.close();
  });

  it("flush and shutdown settle by their bound with the collector down or never answering; the events stay saved", async () => {
    const closed = createServer();
    await new Promise<void>((resolve) => closed.listen(0, "127.0.0.1", resolve));
    const downUrl = `http://127.0.0.1:${(closed.address() as AddressInfo).port}`;
    await new Promise((resolve) => closed.close(resolve));
    const hanging = createServer(() => {}); // takes the request, never answers
    await new Promise<void>((resolve) => hanging.listen(0, "127.0.0.1", resolve));
    const hangingUrl = `http://127.0.0.1:${(hanging.address() as AddressInfo).port}`;
    try {
      for (const target of [downUrl, hangingUrl]) {
        const context = await browser.newContext();
        const tab = await context.newPage();
        await tab.goto(`${pages.url}/?collector=${encodeURIComponent(target)}`);
        await tab.waitForFunction(() => "edgehog" in window);
        await tab.click("#allow");
        const result = await tab.evaluate(async () => {
          const client = (
            window as unknown as {
              edgehog: {
                capture(e: string, p: unknown): void;
                flush(o: unknown): Promise<{ pending: number }>;
                shutdown(o: unknown): Promise<{ pending: number }>;
              };
            }
          ).edgehog;
          client.capture("connect.user.job_role", { job_role: "SRE" });
          const flushed = await client.flush({ timeoutMs: 1_500 });
          const shut = await client.shutdown({ timeoutMs: 1_500 });
          return { flushed: flushed.pending, shut: shut.pending };
        });
        expect(result).toEqual({ flushed: 1, shut: 1 });
        expect(JSON.parse((await tab.evaluate((key) => localStorage.getItem(key), QUEUE)) ?? "[]")).toHaveLength(1);
        await context.close();
      }
    } finally {
      hanging.closeAllConnections();
      await new Promise((resolve) => hanging.close(resolve));
    }
  });
});
