import { mkdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import { gzipSync } from "node:zlib";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningCollector, startCollector } from "../e2e/wrangler-dev";
import { launchChromium } from "./chromium";
import { PAGES, screenshots, signInThroughForm } from "./dashboard-pages";
import { seedBilling, seedEvents, waitForEvents } from "./dashboard-seed";

/**
 * The dashboard as people use it, in headless Chromium against a seeded `wrangler dev`: from the
 * keyboard, under axe's accessibility rules and the page's own CSP, at phone width, and within
 * its weight budget.
 */

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");
const MAX_PAGE_BYTES = 100 * 1024;

describe("the operator dashboard's accessibility and weight, in Chromium", () => {
  let collector: RunningCollector;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  const consoleErrors: string[] = [];

  beforeAll(async () => {
    [collector, browser] = await Promise.all([startCollector(), launchChromium()]);
    mkdirSync(screenshots, { recursive: true });
    const now = Date.now();
    const model = await seedEvents(collector, now);
    await seedBilling(collector, model, now);
    await waitForEvents(collector, model);
    context = await browser.newContext({ viewport: { width: 1280, height: 800 } });
    page = await context.newPage();
    page.on("console", (message) => {
      if (message.type() === "error") consoleErrors.push(message.text());
    });
    await page.goto(`${collector.url}/dashboard`);
    await signInThroughForm(page, collector.adminToken);
  });
  afterAll(async () => {
    await browser?.close();
    await collector?.stop();
  });

  it("reaches every navigation link from the keyboard, with a visible focus", async () => {
    await page.goto(`${collector.url}/dashboard`);
    await page.keyboard.press("Tab");
    expect(await page.evaluate(() => document.activeElement?.textContent)).toBe("Skip to content");
    await page.keyboard.press("Tab"); // the brand link
    for (const { title } of PAGES) {
      await page.keyboard.press("Tab");
      const focused = await page.evaluate(() => {
        const element = document.activeElement as HTMLElement;
        return { text: element.textContent, outline: getComputedStyle(element).outlineStyle };
      });
      expect(focused).toEqual({ text: title, outline: "solid" });
    }
    await page.keyboard.press("Enter"); // on the last one
    await page.waitForURL(/\/dashboard\/health$/);
    await page.keyboard.press("Tab"); // the skip link, then into the content
    await page.keyboard.press("Enter");
    expect(await page.evaluate(() => document.activeElement?.id)).toBe("main");
  });

  it("passes axe's accessibility rules (labels, contrast, names) on every page, without CSP errors", async () => {
    // Every page, and the error page (here a 404: the same page says a 503 or a 403).
    for (const path of [
      ...PAGES.map((p) => p.path),
      "/dashboard/billing/tenant?tenant=acme",
      "/dashboard/not-a-page",
    ]) {
      await page.goto(`${collector.url}${path}`);
      // Evaluated through the DevTools protocol: the page's CSP allows no script, rightly.
      await page.evaluate(axeSource);
      const violations = await page.evaluate(async () => {
        const axe = (
          globalThis as unknown as { axe: { run(): Promise<{ violations: { id: string; nodes: unknown[] }[] }> } }
        ).axe;
        return (await axe.run()).violations.map((v) => `${v.id} (${v.nodes.length})`);
      });
      expect(violations, path).toEqual([]);
    }
    expect(consoleErrors.filter((text) => /Content Security Policy|Refused to/.test(text))).toEqual([]);
  });

  it("is usable at phone width", async () => {
    const phone = await browser.newContext({
      viewport: { width: 390, height: 844 },
      deviceScaleFactor: 2,
      isMobile: true,
      hasTouch: true,
    });
    await phone.addCookies(await context.cookies());
    const small = await phone.newPage();
    await small.goto(`${collector.url}/dashboard`);
    // Nothing but the charts' own scroll areas is wider than the screen.
    expect(await small.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(390);
    expect(await small.getByRole("link", { name: "Health" }).isVisible()).toBe(true);
    await small.screenshot({ path: join(screenshots, "events-phone.png"), fullPage: true });
    expect(statSync(join(screenshots, "events-phone.png")).size).toBeGreaterThan(10_000);
    await phone.close();
  });

  it("keeps every page under 100 KB as served", async () => {
    const cookie = (await context.cookies()).map((c) => `${c.name}=${c.value}`).join("; ");
    const weights: string[] = [];
    for (const path of [...PAGES.map((p) => p.path), "/dashboard/billing/tenant?tenant=acme"]) {
      const res = await fetch(`${collector.url}${path}`, { headers: { cookie, accept: "text/html" } });
      expect(res.status).toBe(200);
      const body = Buffer.from(await res.arrayBuffer());
      weights.push(`${path}: ${body.length} bytes, ${gzipSync(body).length} gzipped`);
      expect(body.length, path).toBeLessThan(MAX_PAGE_BYTES);
    }
    console.log(`page weights (seeded data):\n  ${weights.join("\n  ")}`);
  });
});
