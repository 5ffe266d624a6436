import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningCollector, startCollector } from "../e2e/wrangler-dev";
import { launchChromium, servePages } from "./chromium";

/**
 * A web UI on another origin posts events to the collector from a real browser: as JSON (a
 * CORS preflight first) and as text/plain (no preflight, as navigator.sendBeacon sends).
 */
describe("a web page posting events cross-origin, in Chromium", () => {
  let collector: RunningCollector;
  let browser: Browser;
  let pages: Awaited<ReturnType<typeof servePages>>;

  beforeAll(async () => {
    [collector, browser] = await Promise.all([startCollector(), launchChromium()]);
    pages = await servePages({ "/": "<!doctype html><title>web ui</title><p>a page of another origin</p>" });
  });
  afterAll(async () => {
    await browser?.close();
    await pages?.close();
    await collector?.stop();
  });

  it("gets 202 for a JSON batch and for a text/plain beacon, and the events arrive", async () => {
    const page = await browser.newPage();
    await page.goto(pages.url);
    const answers = await page.evaluate(async (collectorUrl) => {
      const digest = () => btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))));
      const batch = () =>
        JSON.stringify({
          app: "teleport-connect",
          events: [
            {
              uuid: crypto.randomUUID(),
              event: "connect.protocol.use",
              distinct_id: crypto.randomUUID(),
              timestamp: new Date().toISOString(),
              properties: { cluster_name: digest(), user_name: digest(), protocol: "kube" },
            },
          ],
        });
      const post = async (contentType: string) => {
        const res = await fetch(`${collectorUrl}/v1/events`, {
          method: "POST",
          headers: { "content-type": contentType },
          body: batch(),
        });
        return { status: res.status, body: await res.json() };
      };
      const beacon = navigator.sendBeacon(
        `${collectorUrl}/v1/events`,
        new Blob([batch()], { type: "text/plain;charset=UTF-8" }),
      );
      return { json: await post("application/json"), text: await post("text/plain"), beacon };
    }, collector.url);
    expect(answers.json).toEqual({ status: 202, body: expect.objectContaining({ accepted: 1 }) });
    expect(answers.text).toEqual({ status: 202, body: expect.objectContaining({ accepted: 1 }) });
    expect(answers.beacon).toBe(true);

    const day = new Date().toISOString().slice(0, 10);
    const deadline = Date.now() + 20_000;
    for (;;) {
      const res = await fetch(`${collector.url}/v1/stats/events?app=teleport-connect&from=${day}&to=${day}`, {
        headers: { authorization: `Bearer ${collector.adminToken}` },
      });
      const stats = (await res.json()) as { days: { events: Record<string, number> }[] };
      if (stats.days[0]?.events["connect.protocol.use"] === 3) break;
      if (Date.now() > deadline) throw new Error(`the three events did not arrive: ${JSON.stringify(stats)}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  });
});
