import { tmpdir } from "node:os";
import { join } from "node:path";
import { fileURLToPath } from "node:url";
import type { Page } from "playwright-core";

/** What the dashboard's browser tests share: its pages, where screenshots go, and how bars are read from the DOM. */

const root = fileURLToPath(new URL("../..", import.meta.url));

/** docs/screenshots/ when UPDATE_SCREENSHOTS=1 (to commit them), a temporary folder otherwise. */
export const screenshots =
  process.env.UPDATE_SCREENSHOTS === "1" ? join(root, "docs/screenshots") : join(tmpdir(), "edgehog-screenshots");

export const PAGES = [
  { path: "/dashboard", name: "events", title: "Events" },
  { path: "/dashboard/insights", name: "insights-seeded", title: "Insights" },
  { path: "/dashboard/drops", name: "drops", title: "Visible drops" },
  { path: "/dashboard/billing", name: "billing", title: "Tenants and billing" },
  { path: "/dashboard/catalogue", name: "catalogue", title: "Catalogue" },
  { path: "/dashboard/health", name: "health", title: "Health" },
];

/** Signs in through the form, from wherever the browser was sent to it. */
export async function signInThroughForm(page: Page, token: string): Promise<void> {
  await page.getByLabel("Operator token").fill(token);
  await page.keyboard.press("Enter");
  await page.waitForURL((url) => url.pathname !== "/dashboard/login");
}

/** The `<title>` texts of the bars of one chart (by its svg id). */
export function barTitles(page: Page, chart: string): Promise<string[]> {
  return page.locator(`svg#${chart} rect > title`).allTextContents();
}

/** Each bar's height divided by the number its title gives: one constant for a whole chart. */
export async function heightPerUnit(page: Page, chart: string): Promise<number[]> {
  return page.locator(`svg#${chart} rect`).evaluateAll((rects) =>
    rects.map((rect) => {
      const value = Number(
        (rect.querySelector("title")?.textContent ?? "").split(": ").at(-1)?.split(" ")[0]?.replace(/,/g, ""),
      );
      return Number(rect.getAttribute("height")) / value;
    }),
  );
}

export function countBy<T>(items: readonly T[], key: (item: T) => string): Map<string, number> {
  const counts = new Map<string, number>();
  for (const item of items) counts.set(key(item), (counts.get(key(item)) ?? 0) + 1);
  return counts;
}
