import { execFile } from "node:child_process";
import { mkdirSync, readFileSync, statSync } from "node:fs";
import { join } from "node:path";
import { promisify } from "node:util";
import type { Browser, BrowserContext, Page } from "playwright-core";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { type RunningCollector, startCollector } from "../e2e/wrangler-dev";
import { launchChromium } from "./chromium";
import { barTitles, countBy, heightPerUnit, PAGES, screenshots, signInThroughForm } from "./dashboard-pages";
import { type Model, seedBilling, seedEvents, waitForEvents } from "./dashboard-seed";

/**
 * The dashboard in headless Chromium against `wrangler dev`, seeded through the public and
 * operator APIs: signing in through the form, what each page shows (read from the SVG bars'
 * `<title>`s, their heights and the tables), sign-out, and a screenshot of each page.
 * Keyboard, accessibility, phone width and page weights: dashboard-access.test.ts.
 */

describe("the operator dashboard, in Chromium", () => {
  let collector: RunningCollector;
  let browser: Browser;
  let context: BrowserContext;
  let page: Page;
  let model: Model;
  const now = Date.now();
  const today = new Date(now).toISOString().slice(0, 10);

  beforeAll(async () => {
    [collector, browser] = await Promise.all([startCollector(), launchChromium()]);
    mkdirSync(screenshots, { recursive: true });
    context = await browser.newContext({ viewport: { width: 1280, height: 800 }, acceptDownloads: true });
    page = await context.newPage();
  });
  afterAll(async () => {
    await browser?.close();
    await collector?.stop();
  });

  it("sends a browser without a session to the sign-in form, and refuses a wrong token", async () => {
    await page.goto(`${collector.url}/dashboard/billing`);
    expect(new URL(page.url()).pathname).toBe("/dashboard/login");
    await page.getByLabel("Operator token").fill("not-the-token");
    await page.getByRole("button", { name: "Sign in" }).click();
    await expect(page.getByRole("alert").textContent()).resolves.toContain("That is not the operator token.");
    expect(await context.cookies()).toEqual([]);
    await page.screenshot({ path: join(screenshots, "login.png") });
  });

  it("signs in through the form with a cookie the page's scripts cannot read, and goes where it was asked", async () => {
    await page.goto(`${collector.url}/dashboard/health`);
    await signInThroughForm(page, collector.adminToken);
    expect(page.url()).toBe(`${collector.url}/dashboard/health`);
    const [cookie] = await context.cookies();
    expect(cookie).toMatchObject({ name: "edgehog_session", httpOnly: true, sameSite: "Strict", secure: false });
    expect(cookie?.expires).toBeGreaterThan(now / 1000 + 3600);
    expect(await page.evaluate(() => document.cookie)).toBe("");
    expect(page.url()).not.toContain(collector.adminToken);
  });

  it("shows an empty Events page whose command sends a first event that works", async () => {
    await page.goto(`${collector.url}/dashboard`);
    const command = await page.locator("#first-event").textContent();
    expect(command).toContain(`${collector.url}/v1/events`);
    const { stdout } = await promisify(execFile)("bash", ["-c", command ?? ""]);
    expect(JSON.parse(stdout)).toEqual({
      accepted: 1,
      duplicates: 0,
      rejected: [],
      dropped_properties: {},
      reduced_properties: {},
    });
  });

  it("shows the seeded events: per day and name, active installs, and installs by version and OS with small groups hidden", async () => {
    model = await seedEvents(collector, now);
    await seedBilling(collector, model, now);
    await waitForEvents(collector, model, 1); // and the event sent by the empty page's command
    await page.goto(`${collector.url}/dashboard`);

    // The command's event: one connect.cluster.login today, from an install of unknown version and OS.
    const sent = [
      ...model.events,
      { install: { id: "first", version: "(unknown)", os: "(unknown)" }, day: today, event: "connect.cluster.login" },
    ];
    expect(await page.locator("#total-events").textContent()).toBe(String(sent.length));
    expect(await page.locator("#total-installs").textContent()).toBe(String(model.installs.length + 1));

    const expectedBars = [...countBy(sent, (e) => `${e.event} on ${e.day}`)].map(([key, n]) => `${key}: ${n}`);
    expect((await barTitles(page, "events-chart")).sort()).toEqual(expectedBars.sort());
    const perUnit = await heightPerUnit(page, "events-chart");
    for (const ratio of perUnit) expect(ratio).toBeCloseTo(perUnit[0] ?? 0, 1);

    const installsPerDay = [
      ...countBy([...new Map(sent.map((e) => [`${e.install.id} ${e.day}`, e])).values()], (e) => e.day),
    ];
    expect((await barTitles(page, "installs-chart")).sort()).toEqual(
      installsPerDay.map(([day, n]) => `${day}: ${n}`).sort(),
    );

    const everyInstall = [...model.installs, { id: "first", version: "(unknown)", os: "(unknown)" }];
    for (const [chart, dimension] of [
      ["by-app-version", "version"],
      ["by-os", "os"],
    ] as const) {
      const exact = countBy(everyInstall, (install) => install[dimension]);
      const cells = (await barTitles(page, chart)).map((title) => {
        const [, value = "", n = ""] = title.match(/^(.*): (\d+) installs$/) ?? [];
        return { value, installs: Number(n) };
      });
      expect(cells.reduce((n, cell) => n + cell.installs, 0)).toBe(everyInstall.length);
      for (const cell of cells.filter((c) => c.value !== "(other)")) {
        expect(cell.installs).toBeGreaterThanOrEqual(5);
        expect(cell.installs).toBe(exact.get(cell.value));
      }
      // The rare values are never shown, whatever else is.
      for (const [value, n] of exact) if (n < 5) expect(cells.map((c) => c.value)).not.toContain(value);
    }
    expect(await barTitles(page, "by-app-version")).toEqual([
      "17.0.1: 8 installs",
      "16.4.7: 6 installs",
      "(other): 6 installs",
    ]);
    await page.screenshot({ path: join(screenshots, "events.png"), fullPage: true });
  });

  it("shows the rejections by code and the dropped property on Visible drops", async () => {
    await page.getByRole("link", { name: "Visible drops" }).click();
    await page.waitForURL(/\/dashboard\/drops$/);
    expect(await page.locator("#total-rejected").textContent()).toBe("4");
    expect((await barTitles(page, "rejections-chart")).sort()).toEqual(
      Object.entries(model.rejections)
        .map(([code, n]) => `${code} on ${today}: ${n}`)
        .sort(),
    );
    const dropped = page.locator("#dropped-properties tbody tr").filter({ hasText: model.dropped.property });
    expect(await dropped.locator("td").allTextContents()).toEqual([
      model.dropped.event,
      model.dropped.property,
      String(model.dropped.n),
    ]);
    await page.screenshot({ path: join(screenshots, "drops.png"), fullPage: true });
  });

  it("opens on each tenant's open period, a mid-month one included, against its contract", async () => {
    await page.getByRole("link", { name: "Tenants and billing" }).click();
    await page.waitForURL(/\/dashboard\/billing$/);
    const mid = model.midMonth;
    for (const tenant of model.tenants) {
      const cells = await page
        .locator("#open-periods tbody tr")
        .filter({ hasText: tenant.name })
        .locator("td")
        .allTextContents();
      // Period, state, MAU, its high-water mark, TPR, its mark, MWI, its mark.
      expect(cells.slice(1, 8)).toEqual(
        ["open", tenant.mau, tenant.mau, tenant.tpr, tenant.tpr, tenant.mwi, tenant.mwi].map(String),
      );
      if (tenant.period) expect(cells[0]).toBe(`${tenant.period.start} → ${tenant.period.end}`);
    }
    const acme = model.tenants.find((t) => t.name === mid?.name);
    expect(Number(acme?.period?.start.slice(8, 10))).toBe(mid?.anchor);
    expect(await barTitles(page, "mau-contract-chart")).toContain(`${mid?.name}: ${acme?.mau} users`);
    expect(await page.locator("svg#mau-contract-chart line.limit > title").allTextContents()).toEqual([
      `${mid?.name} MAU contracted: 4 (75 % of 4)`,
    ]);
    // Reporting became required just now: every cluster has a full window before it can be silent.
    expect(await page.locator("#silent").count()).toBe(0);
    await page.screenshot({ path: join(screenshots, "billing.png"), fullPage: true });
  });

  it("shows a tenant's open period day by day with its history, and downloads the same CSVs as the billing API gives", async () => {
    const mid = model.midMonth;
    await page
      .locator("#open-periods tbody tr")
      .filter({ hasText: mid?.name ?? "?" })
      .getByRole("link")
      .first()
      .click();
    await page.waitForURL(/\/dashboard\/billing\/tenant\?tenant=acme$/);
    const acme = model.tenants.find((t) => t.name === mid?.name);
    expect(await page.locator("#figure-mau").textContent()).toBe(String(acme?.mau));
    expect(await page.locator("#detail-days tbody tr").count()).toBe(2);
    const clusters = await page.locator("#tenant-reporting tbody tr").allTextContents();
    expect(clusters).toHaveLength(2);
    expect(clusters.find((row) => row.includes(mid?.silentCluster ?? "?"))).toContain("bot_instance_activity");
    expect(await barTitles(page, "history-mau")).toEqual([`${acme?.period?.start.slice(0, 7)}: ${acme?.mau} users`]);
    const evidence = page.waitForEvent("download");
    await page.locator("#export").click();
    const exportFile = await (await evidence).path();
    const month = acme?.period?.start.slice(0, 7);
    const api = await fetch(`${collector.url}/v1/billing/usage/export?tenant=acme&month=${month}`, {
      headers: { authorization: `Bearer ${collector.adminToken}` },
    });
    expect(readFileSync(exportFile, "utf8")).toBe(await api.text());
    await page.screenshot({ path: join(screenshots, "billing-tenant.png"), fullPage: true });

    await page.goto(`${collector.url}/dashboard/billing?month=${today.slice(0, 7)}`);
    const download = page.waitForEvent("download");
    await page.locator("#csv").click();
    const file = await (await download).path();
    const monthly = await fetch(`${collector.url}/v1/billing/usage?month=${today.slice(0, 7)}`, {
      headers: { authorization: `Bearer ${collector.adminToken}`, accept: "text/csv" },
    });
    expect(readFileSync(file, "utf8")).toBe(await monthly.text());
  });

  it("lists every event and property of the published catalogue, with its privacy class", async () => {
    await page.getByRole("link", { name: "Catalogue" }).click();
    await page.waitForURL(/\/dashboard\/catalogue$/);
    await page.screenshot({ path: join(screenshots, "catalogue.png"), fullPage: true });
    type Property = { name: string; class: string };
    const catalogue = (await (await fetch(`${collector.url}/v1/catalog`)).json()) as {
      apps: { name: string; common_properties: Property[]; events: { name: string; properties: Property[] }[] }[];
    };
    const pairs = (properties: Property[]) => properties.map((property) => [property.name, property.class]);
    /** The tables of the page shown, by caption: each row's first two cells. */
    const tablesShown = async () =>
      new Map(
        await page
          .locator("table")
          .evaluateAll((elements) =>
            (elements as HTMLTableElement[]).map((table) => [
              table.caption?.textContent ?? "",
              Array.from(table.tBodies[0]?.rows ?? []).map((row) => [
                row.cells[0]?.textContent,
                row.cells[1]?.textContent,
              ]),
            ]),
          ),
      );
    for (const app of catalogue.apps) {
      // The app's page, reached by its link; a large app's events by area, each reached by its link.
      await page.getByRole("link", { name: app.name, exact: true }).click();
      await page.waitForURL(new RegExp(`app=${app.name}$`));
      const areaLinks = await page.locator(`nav[aria-label="Areas of ${app.name}'s events"] a`).allTextContents();
      const tables = new Map<string, unknown>();
      const events = new Set<string>();
      for (const area of areaLinks.length > 0 ? areaLinks : [undefined]) {
        if (area !== undefined) {
          await page
            .locator(`nav[aria-label="Areas of ${app.name}'s events"]`)
            .getByRole("link", { name: area, exact: true })
            .click();
          await page.waitForURL(new RegExp(`area=${area.replace(".", "\\.")}$`));
        }
        expect(await page.locator(`h2[id="app-${app.name}"]`).textContent()).toBe(app.name);
        for (const [caption, rows] of await tablesShown()) tables.set(caption, rows);
        for (const name of await page.locator("h3[id^='event-'] code").allTextContents()) events.add(name);
      }
      expect(tables.get(`Properties any event of ${app.name} may carry`)).toEqual(pairs(app.common_properties));
      expect([...events].sort()).toEqual(app.events.map((event) => event.name).sort());
      for (const event of app.events) {
        if (event.properties.length > 0)
          expect(tables.get(`Properties of ${event.name}`)).toEqual(pairs(event.properties));
      }
    }
  });

  it("shows the cron's last runs and no dead letters on Health", async () => {
    await page.getByRole("link", { name: "Health" }).click();
    await page.waitForURL(/\/dashboard\/health$/);
    expect(await page.locator("#parked").textContent()).toBe("0");
    const jobs = await page
      .locator("#cron-runs tbody tr")
      .evaluateAll((rows) =>
        rows.map((row) => [row.querySelector("th")?.textContent, row.querySelectorAll("td")[2]?.textContent]),
      );
    expect(jobs).toEqual([
      ["archive", "succeeded"],
      ["billing", "succeeded"],
      ["billing-alerts", "succeeded"],
      ["reporting", "succeeded"],
      ["retention", "succeeded"],
      ["tombstones", "succeeded"],
      ["usage-retention", "succeeded"],
      ["webhooks", "succeeded"],
    ]);
    await page.screenshot({ path: join(screenshots, "health.png"), fullPage: true });
  });

  it("shows the seeded installs' adoption on Insights, as the insights API answers it", async () => {
    await page.getByRole("link", { name: "Insights" }).click();
    await page.waitForURL(/\/dashboard\/insights$/);
    const from = model.days[model.days.length - 1];
    const res = await fetch(`${collector.url}/v1/insights/adoption?app=teleport-connect&from=${from}&to=${today}`, {
      headers: { authorization: `Bearer ${collector.adminToken}` },
    });
    const adoption = (await res.json()) as { events: { event: string; installs: number | string }[] };
    const rows = await page
      .locator("#adoption-table tbody tr")
      .evaluateAll((trs) =>
        trs.map((tr) => [tr.querySelector("th")?.textContent, tr.querySelector("td")?.textContent]),
      );
    expect(rows).toEqual(
      adoption.events.map((e) => [
        e.event,
        typeof e.installs === "number" ? e.installs.toLocaleString("en-US") : e.installs,
      ]),
    );
    await page.screenshot({ path: join(screenshots, "insights-seeded.png"), fullPage: true });
  });

  it("signs out, after which the pages are refused", async () => {
    await page.goto(`${collector.url}/dashboard/catalogue`);
    await page.getByRole("button", { name: "Sign out" }).click();
    await page.waitForURL(`${collector.url}/dashboard/login`);
    expect(await context.cookies()).toEqual([]);
    await page.goto(`${collector.url}/dashboard/health`);
    expect(new URL(page.url()).pathname).toBe("/dashboard/login");

    // Without a cookie: a page is a redirect to the form, anything else a 401.
    const asPage = await fetch(`${collector.url}/dashboard`, { headers: { accept: "text/html" }, redirect: "manual" });
    expect(asPage.status).toBe(302);
    expect(asPage.headers.get("location")).toBe("/dashboard/login?next=%2Fdashboard");
    const asScript = await fetch(`${collector.url}/dashboard/billing.csv?month=${today.slice(0, 7)}`);
    expect(asScript.status).toBe(401);
  });

  it("saved a screenshot of each page", () => {
    for (const name of ["login", "billing-tenant", ...PAGES.map((p) => p.name)]) {
      expect(statSync(join(screenshots, `${name}.png`)).size, name).toBeGreaterThan(10_000);
    }
  });
});
