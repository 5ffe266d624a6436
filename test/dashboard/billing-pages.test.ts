import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { computeBilling } from "../../src/billing/compute";
import { setContract } from "../../src/billing/contracts";
import { DAY_MS, MINUTE_MS, utcDay } from "../../src/lib/time";
import { createTenant, issueToken } from "../../src/tenants/admin";
import { report } from "../helpers/bill-co";
import { dashboardHtml, getPage, LOCAL, signIn } from "../helpers/dashboard";
import { get, operator } from "../helpers/harness";
import { elementsOf } from "../helpers/html";
import { resourcePresenceReport, userActivityReport } from "../helpers/reports";
import { digestOf } from "../helpers/tenants";

/**
 * The billing pages: each tenant's open period by default, whatever month it started in (a term
 * starting mid-month), its figures against its contract, the silent reporters, tenants with
 * their contracts and tokens; a tenant's page with the day-by-day series, the history and the
 * export, which is byte for byte the API's.
 */

const now = Date.now();
const today = utcDay(now);
const date = Number(today.slice(8, 10));
/** A term anchored after today's date: its open period started last month (the page's old blind spot). */
const anchor = date < 28 ? date + 1 : 1;
const termStart = `2025-01-${String(anchor).padStart(2, "0")}`;
let cookie: string;
let tokenPrefix: string;

/** Each body row of a table, its cells' texts joined by a space. */
async function rowsOf(page: string, table: string): Promise<string[]> {
  const width = (await elementsOf(page, `#${table} thead th`)).length;
  const cells = (await elementsOf(page, `#${table} tbody tr > *`)).map((cell) => cell.text.replace(/\s+/g, " ").trim());
  return Array.from({ length: Math.ceil(cells.length / Math.max(1, width)) }, (_, i) =>
    cells.slice(i * width, (i + 1) * width).join(" "),
  );
}

beforeAll(async () => {
  cookie = await signIn();
  const created = now - 40 * DAY_MS;
  const mid = await createTenant(env.DB, { name: "mid-co", termStart, termMonths: 12, now: created });
  tokenPrefix = (await issueToken(env.DB, mid.id, { now })).prefix;
  await setContract(env.DB, mid.id, { plan: "enterprise", reporting_required: true, mau: 4 }, created);
  const start = new Date(now - 10 * MINUTE_MS).toISOString();
  await report(
    mid.id,
    now,
    await userActivityReport({ start, users: ["ann", "ben", "cat"] }),
    await resourcePresenceReport({ start: `${start.slice(0, 13)}:00:00Z`, nodes: ["n1", "n2"] }),
  );
  // A second cluster that last reported two days ago: silent.
  const old = await userActivityReport({ start: new Date(now - 2 * DAY_MS).toISOString(), users: ["ann"] });
  await report(mid.id, now, { ...old, cluster_name: await digestOf("cluster-quiet") });
  await computeBilling(env.DB, now, 3);
});

describe("the billing page, as it opens", () => {
  it("shows each tenant's open period with its figures, even when it started last month", async () => {
    const res = await getPage("/dashboard/billing", cookie);
    expect(res.status).toBe(200);
    const page = await dashboardHtml(res);
    const [open] = await rowsOf(page, "open-periods");
    expect(open).toMatch(/^mid-co \d{4}-\d{2}-\d{2} → \d{4}-\d{2}-\d{2} open 3 3 2 2 0 0 /);
    const [, first = "", last = ""] = open?.match(/(\d{4}-\d{2}-\d{2}) → (\d{4}-\d{2}-\d{2})/) ?? [];
    expect(first <= today && today <= last).toBe(true);
    expect(Number(first.slice(8, 10))).toBe(anchor);
    if (anchor > date) {
      // The period starting in this month has not begun: the month view has no row for it.
      const thisMonth = await (await getPage(`/dashboard/billing?month=${today.slice(0, 7)}`, cookie)).text();
      expect(await rowsOf(thisMonth, "billing-table")).toEqual([]);
      expect(thisMonth).toContain("Open periods");
    }
    const links = await elementsOf(page, "#open-periods a");
    expect(links.map((a) => a.attributes.href)).toContain(
      `/dashboard/billing/tenant?tenant=mid-co&month=${first.slice(0, 7)}`,
    );
  });

  it("draws the open figures against the contract and the high-water marks", async () => {
    const page = await (await getPage("/dashboard/billing", cookie)).text();
    const titles = (await elementsOf(page, "svg#mau-contract-chart title")).map((t) => t.text);
    expect(titles).toContain("mid-co: 3 users");
    expect(titles).toContain("mid-co MAU contracted: 4 (75 % of 4)");
    expect(titles).toContain("mid-co MAU high-water mark: 3");
  });

  it("lists the silent cluster, and every tenant with its contract and tokens", async () => {
    const page = await (await getPage("/dashboard/billing", cookie)).text();
    const silent = await rowsOf(page, "silent");
    expect(silent).toEqual([expect.stringContaining(await digestOf("cluster-quiet"))]);
    const [tenant] = await rowsOf(page, "tenants");
    expect(tenant).toContain("enterprise");
    expect(tenant).toContain("required");
    expect(tenant).toContain("4 / – / –");
    expect(tenant).toContain(`${tokenPrefix}… active`);
  });
});

describe("a tenant's page", () => {
  it("shows the open period day by day, per cluster, the history, the reporting and the export", async () => {
    const res = await getPage("/dashboard/billing/tenant?tenant=mid-co", cookie);
    expect(res.status).toBe(200);
    const page = await dashboardHtml(res);
    expect((await elementsOf(page, "#figure-mau"))[0]?.text).toBe("3");
    const days = await rowsOf(page, "detail-days");
    expect(days).toHaveLength(2); // the quiet cluster's day, and today
    expect(days.at(-1)).toBe(`${today} 3 3 2 0`);
    expect((await rowsOf(page, "detail-clusters")).length).toBe(2);
    expect((await rowsOf(page, "history")).at(-1)).toMatch(/^\d{4}-\d{2} open 3 2 0 0$/);
    expect(await rowsOf(page, "tenant-reporting")).toEqual(
      expect.arrayContaining([expect.stringMatching(/silent$/), expect.stringMatching(/reporting$/)]),
    );
    const href = (await elementsOf(page, "#export"))[0]?.attributes.href ?? "";
    const download = await getPage(href, cookie);
    expect(download.headers.get("content-type")).toMatch(/^text\/csv/);
    const month = new URL(href, LOCAL).searchParams.get("month");
    const api = await get(`/v1/billing/usage/export?tenant=mid-co&month=${month}`, { headers: operator() });
    expect(await download.text()).toBe(await api.text());
  });

  it("answers an unknown tenant with the 404 page, and a bad query with the 400 page", async () => {
    const unknown = await getPage("/dashboard/billing/tenant?tenant=nobody", cookie);
    expect(unknown.status).toBe(404);
    expect(await dashboardHtml(unknown)).toContain("unknown_tenant");
    const bad = await getPage("/dashboard/billing/tenant?tenant=mid-co&months=99", cookie);
    expect(bad.status).toBe(400);
  });
});
