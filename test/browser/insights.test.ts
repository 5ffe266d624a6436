import { mkdirSync, readFileSync, statSync } from "node:fs";
import { createRequire } from "node:module";
import { join } from "node:path";
import type { Browser, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningCollector, startCollector } from "../e2e/wrangler-dev";
import { batchesOf, simulate } from "../helpers/population";
import { launchChromium } from "./chromium";
import { screenshots, signInThroughForm } from "./dashboard-pages";

/**
 * The Insights page in headless Chromium against `wrangler dev`, seeded with a simulated
 * population (600 installs over 8 weeks) through POST /v1/events: every number the page shows in
 * its tables is the insights API's (the breakdown and its previous period, adoption, the
 * retention triangle with its shaded cells, the funnel and its conversions), nothing hidden by
 * the API appears, it passes axe under its CSP, and a screenshot goes to docs/screenshots.
 */

const DAY_MS = 86_400_000;
const APP = "teleport-connect";
/** The answers as a client reads them off the wire (src/insights/answers.ts has them whole). */
type Shown = number | string | null;
interface BreakdownAnswer {
  values: { value: string; events: Shown; installs: Shown }[];
}
interface AdoptionAnswer {
  active_installs: number;
  events: { event: string; installs: Shown }[];
}
interface RetentionAnswer {
  cohorts: { start: string; installs: Shown; retained: Shown[] }[];
}
interface FunnelAnswer {
  steps: { event: string; installs: Shown }[];
}

const axeSource = readFileSync(createRequire(import.meta.url).resolve("axe-core/axe.min.js"), "utf8");

describe("the Insights page, in Chromium", () => {
  let collector: RunningCollector;
  let browser: Browser;
  let page: Page;
  const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
  const population = simulate(20261207, 600, 56, today - DAY_MS);
  const from = population.days[0] as string;
  const to = population.days[population.days.length - 1] as string;
  const steps =
    "connect.cluster.login,connect.protocol.use,connect.accessRequest.create,connect.accessRequest.assumeRole";
  const query = `app=${APP}&from=${from}&to=${to}`;
  const api = async <T>(path: string): Promise<T> => {
    const res = await fetch(`${collector.url}${path}`, {
      headers: { authorization: `Bearer ${collector.adminToken}` },
    });
    if (res.status !== 200) throw new Error(`${path}: ${res.status} ${await res.text()}`);
    return (await res.json()) as T;
  };

  beforeAll(async () => {
    [collector, browser] = await Promise.all([
      startCollector({ vars: { RAW_EVENT_RETENTION_DAYS: "70", RATE_LIMIT_ENABLED: "false" } }),
      launchChromium(),
    ]);
    mkdirSync(screenshots, { recursive: true });
    const wire = batchesOf(population).flatMap((batch) => batch.events);
    for (let i = 0; i < wire.length; i += 1000) {
      const res = await fetch(`${collector.url}/v1/events`, {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ app: APP, events: wire.slice(i, i + 1000) }),
      });
      expect(res.status).toBe(202);
    }
    const active = new Set(population.events.map((e) => e.install)).size;
    const deadline = Date.now() + 60_000;
    for (;;) {
      const events = await api<{ days: { events: Record<string, number> }[] }>(`/v1/stats/events?${query}`);
      const stored = events.days.reduce((n, d) => n + Object.values(d.events).reduce((a, b) => a + b, 0), 0);
      if (stored === population.events.length) break;
      if (Date.now() > deadline) throw new Error(`${stored} of ${population.events.length} events stored`);
      await new Promise((resolve) => setTimeout(resolve, 500));
    }
    expect((await api<AdoptionAnswer>(`/v1/insights/adoption?${query}`)).active_installs).toBe(active);
    page = await (await browser.newContext({ viewport: { width: 1280, height: 900 } })).newPage();
    await page.goto(`${collector.url}/dashboard/insights`);
    await signInThroughForm(page, collector.adminToken);
  }, 180_000);
  afterAll(async () => {
    await browser?.close();
    await collector?.stop();
  });

  const cells = (table: string) =>
    page
      .locator(`#${table} tbody tr`)
      .evaluateAll((rows) =>
        rows.map((row) => Array.from(row.querySelectorAll("th, td")).map((cell) => cell.textContent ?? "")),
      );
  const shown = (n: number | string | null) => (typeof n === "number" ? n.toLocaleString("en-US") : (n ?? "—"));

  it("shows the API's answers, small groups hidden alike, and the previous period", async () => {
    await page.goto(
      `${collector.url}/dashboard/insights?${query}&event=connect.cluster.login&property=connector_type&compare=previous&steps=${steps}&window_days=7`,
    );
    const breakdown = await api<BreakdownAnswer>(
      `/v1/insights/breakdown?${query}&event=connect.cluster.login&property=connector_type&compare=previous`,
    );
    expect(await cells("breakdown-table")).toEqual(
      breakdown.values.map((v) => [v.value, shown(v.installs), shown(v.events), "—", "—"]),
    );
    const adoption = await api<AdoptionAnswer>(`/v1/insights/adoption?${query}`);
    expect((await cells("adoption-table")).map((row) => row.slice(0, 2))).toEqual(
      adoption.events.map((e) => [e.event, shown(e.installs)]),
    );
    const retention = await api<RetentionAnswer>(`/v1/insights/retention?${query}`);
    expect(await cells("retention-table")).toEqual(
      retention.cohorts.map((c) => [c.start, shown(c.installs), ...c.retained.map(shown)]),
    );
    // The triangle is shaded by the share of each cohort retained.
    const shades = await page.locator("#retention-table tbody td[class*='h']").evaluateAll((tds) => tds.length);
    expect(shades).toBeGreaterThan(0);
    const funnel = await api<FunnelAnswer>(`/v1/insights/funnel?${query}&steps=${steps}&window_days=7`);
    const rows = await cells("funnel-table");
    expect(rows.map((row) => row[1])).toEqual(funnel.steps.map((s) => shown(s.installs)));
    const [first, second] = funnel.steps.map((s) => s.installs) as number[];
    expect(rows[1]?.[2]).toBe(`${(Math.round(((second ?? 0) / (first ?? 1)) * 1000) / 10).toLocaleString("en-US")} %`);
    // What the API hides never reaches the page: every published number counts at least 5 installs.
    for (const row of await cells("breakdown-table"))
      expect(Number(row[1]?.replace(/,/g, ""))).toBeGreaterThanOrEqual(5);
    await page.screenshot({ path: join(screenshots, "insights.png"), fullPage: true });
    expect(statSync(join(screenshots, "insights.png")).size).toBeGreaterThan(10_000);
  });

  it("filters by OS and version, and says why a range it cannot answer is refused", async () => {
    await page.goto(
      `${collector.url}/dashboard/insights?${query}&event=connect.protocol.use&property=protocol&os=linux`,
    );
    const filtered = await api<BreakdownAnswer>(
      `/v1/insights/breakdown?${query}&event=connect.protocol.use&property=protocol&os=linux`,
    );
    expect((await cells("breakdown-table")).map((row) => row[1])).toEqual(
      filtered.values.map((v) => shown(v.installs)),
    );
  });

  it("passes axe's accessibility rules without CSP errors", async () => {
    const errors: string[] = [];
    page.on("console", (message) => {
      if (message.type() === "error") errors.push(message.text());
    });
    await page.goto(`${collector.url}/dashboard/insights?${query}`);
    await page.evaluate(axeSource);
    const violations = await page.evaluate(async () => {
      const axe = (globalThis as unknown as { axe: { run(): Promise<{ violations: { id: string }[] }> } }).axe;
      return (await axe.run()).violations.map((v) => v.id);
    });
    expect(violations).toEqual([]);
    expect(errors).toEqual([]);
  });
});
