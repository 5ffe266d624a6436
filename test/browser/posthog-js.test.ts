import { readFileSync } from "node:fs";
import type { Browser } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { countsAround, type DayCounts, digest, installedVersion, recordingProxy, waitFor } from "../e2e/posthog";
import { type RunningCollector, startCollector } from "../e2e/wrangler-dev";
import { uuidv7 } from "../helpers/uuidv7";
import { launchChromium, servePages } from "./chromium";

/**
 * The stock posthog-js browser SDK in headless Chromium, on a page of another origin that
 * captures events and unloads: the events arrive, a second run with the same events does not
 * double them, and the same holds with compression off (base64 form) and with flags and the
 * remote config on.
 */

const bundle = readFileSync(new URL("../../node_modules/posthog-js/dist/array.js", import.meta.url), "utf8");
const version = installedVersion("posthog-js");

interface Captured {
  event: string;
  properties: Record<string, unknown>;
}

/** Six events an app would capture: what every run sends. */
function sixEvents(): Captured[] {
  return [
    ...["ssh", "db", "kube", "app"].map((protocol) => ({
      event: "connect.protocol.use",
      properties: { cluster_name: digest(), user_name: digest(), protocol },
    })),
    ...[0, 1].map(() => ({
      event: "connect.cluster.login",
      properties: { cluster_name: digest(), user_name: digest(), connector_type: "github" },
    })),
  ];
}

describe(`posthog-js ${version} in Chromium against edgehog`, () => {
  let collector: RunningCollector;
  let browser: Browser;
  let pages: Awaited<ReturnType<typeof servePages>>;

  beforeAll(async () => {
    [collector, browser] = await Promise.all([startCollector(), launchChromium()]);
    pages = await servePages({
      "/posthog.js": bundle,
      "/": '<!doctype html><title>web ui</title><script src="/posthog.js"></script><p>an instrumented page</p>',
      "/next": "<!doctype html><title>next</title><p>the page after</p>",
    });
  });
  afterAll(async () => {
    await browser?.close();
    await pages?.close();
    await collector?.stop();
  });

  /**
   * One visit: a fresh browser profile opens the page, posthog-js captures the events (with
   * the given uuids and install id) once it has loaded, then the page is left. Returns what the
   * SDK sent, seen by a proxy in front of the collector.
   */
  async function visit(config: Record<string, unknown>, run: { events: Captured[]; uuids: string[]; install: string }) {
    const proxy = await recordingProxy(collector.url);
    const context = await browser.newContext();
    const page = await context.newPage();
    const problems: string[] = [];
    context.on("requestfailed", (request) => problems.push(`failed: ${request.url()} ${request.failure()?.errorText}`));
    page.on("console", (message) => {
      if (message.type() === "error") problems.push(`console: ${message.text()}`);
    });
    try {
      await page.goto(pages.url);
      await page.evaluate(
        ({ apiHost, config, run }) =>
          new Promise<void>((resolve) => {
            // biome-ignore lint/suspicious/noExplicitAny: the SDK's global, as a page script uses it
            const posthog = (window as unknown as { posthog: any }).posthog;
            let next = 0;
            posthog.init("teleport-connect", {
              api_host: apiHost,
              opt_out_useragent_filter: true, // headless Chromium is a bot to posthog-js otherwise
              bootstrap: { distinctID: run.install },
              // The app's own events get the run's uuids, so a second run sends the very same events.
              before_send: (event: { event: string; uuid: string } | null) => {
                if (event && !event.event.startsWith("$")) event.uuid = run.uuids[next++] ?? event.uuid;
                return event;
              },
              loaded: () => {
                for (const { event, properties } of run.events) posthog.capture(event, properties);
                resolve();
              },
              ...config,
            });
          }),
        { apiHost: proxy.url, config, run },
      );
      if (config.advanced_disable_flags !== true) {
        // Flags on: ask for them and wait for the (empty) answer, as an app gating a feature would.
        const flags = await page.evaluate(
          () =>
            new Promise((resolve) => {
              // biome-ignore lint/suspicious/noExplicitAny: the SDK's global, as a page script uses it
              const posthog = (window as unknown as { posthog: any }).posthog;
              posthog.onFeatureFlags((enabled: string[]) =>
                resolve({ enabled, newUi: posthog.isFeatureEnabled("new-ui") }),
              );
              posthog.reloadFeatureFlags();
            }),
        );
        expect(flags).toEqual({ enabled: [] }); // no flag enabled; an unknown one reads as undefined
      }
      await page.goto(`${pages.url}/next`); // unload: posthog-js sends what it holds
      const seen = await waitFor(
        async () => proxy.seen,
        (requests) => requests.some((r) => r.path === "/e/") && requests.every((r) => r.status !== undefined),
      );
      return { seen, problems };
    } finally {
      await context.close();
      await proxy.close();
    }
  }

  const total = (counts: DayCounts) => Object.values(counts.events).reduce((a, b) => a + b, 0);

  it("delivers captured events on unload; the same events again are not counted twice", async () => {
    const run = { events: sixEvents(), uuids: Array.from({ length: 6 }, uuidv7), install: uuidv7() };
    const config = {
      advanced_disable_flags: true,
      autocapture: false,
      capture_pageview: false,
      capture_pageleave: false,
      disable_session_recording: true,
    };
    const first = await visit(config, run);
    expect(first.problems).toEqual([]);
    const capture = first.seen.filter((s) => s.path === "/e/");
    for (const request of capture) {
      // posthog-js's default: gzip sent as text/plain, with no Content-Encoding (no CORS preflight).
      expect(request).toMatchObject({
        method: "POST",
        contentType: "text/plain",
        contentEncoding: undefined,
        magic: "1f8b",
        status: 200,
      });
    }
    expect(first.seen.map((s) => s.path)).toEqual(capture.map(() => "/e/")); // flags off: nothing else
    const counts = await waitFor(
      () => countsAround(collector, "teleport-connect"),
      (c) => total(c) >= 6,
    );
    expect(counts.events).toEqual({ "connect.protocol.use": 4, "connect.cluster.login": 2 });

    const second = await visit(config, run);
    expect(second.problems).toEqual([]);
    expect(second.seen.filter((s) => s.path === "/e/").every((s) => s.status === 200)).toBe(true);
    await new Promise((resolve) => setTimeout(resolve, 3000)); // the queue has had time to store them
    expect((await countsAround(collector, "teleport-connect")).events).toEqual(counts.events);
    console.log(`posthog-js ${version}, flags off: ${JSON.stringify(first.seen)}`);
  });

  it("delivers as a base64 form with compression off", async () => {
    const before = total(await countsAround(collector, "teleport-connect"));
    const run = { events: sixEvents(), uuids: Array.from({ length: 6 }, uuidv7), install: uuidv7() };
    const { seen, problems } = await visit(
      {
        advanced_disable_flags: true,
        disable_compression: true,
        autocapture: false,
        capture_pageview: false,
        capture_pageleave: false,
      },
      run,
    );
    expect(problems).toEqual([]);
    for (const request of seen.filter((s) => s.path === "/e/")) {
      expect(request).toMatchObject({ method: "POST", contentType: "application/x-www-form-urlencoded", status: 200 });
    }
    await waitFor(
      () => countsAround(collector, "teleport-connect"),
      (c) => total(c) >= before + 6,
    );
    console.log(`posthog-js ${version}, compression off: ${JSON.stringify(seen)}`);
  });

  it("with flags and remote config on: empty flags, no error, and the events arrive", async () => {
    const before = await countsAround(collector, "teleport-connect");
    const run = { events: sixEvents(), uuids: Array.from({ length: 6 }, uuidv7), install: uuidv7() };
    const { seen, problems } = await visit({}, run);
    expect(problems).toEqual([]);
    const paths = seen.map((s) => `${s.method} ${s.path} ${s.status}`);
    expect(paths).toContain("GET /array/teleport-connect/config.js 200");
    expect(paths).toContain("POST /flags/ 200");
    for (const request of seen.filter((s) => s.path === "/e/")) {
      expect(request).toMatchObject({ contentType: "text/plain", magic: "1f8b", status: 200 });
    }
    const after = await waitFor(
      () => countsAround(collector, "teleport-connect"),
      (c) => total(c) >= total(before) + 6,
    );
    expect(after.events).toEqual({
      "connect.protocol.use": (before.events["connect.protocol.use"] ?? 0) + 4,
      "connect.cluster.login": (before.events["connect.cluster.login"] ?? 0) + 2,
    });
    console.log(
      `posthog-js ${version}, flags on: ${JSON.stringify(seen)}; rejected: ${JSON.stringify(after.rejected)}`,
    );
  });
});
