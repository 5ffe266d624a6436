import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { computeBilling } from "../../src/billing/compute";
import { dashboardHtml, getPage, LOCAL, signIn } from "../helpers/dashboard";
import { bearer, compress, get, operator, postUsage } from "../helpers/harness";
import { batchMessage, deliver, storedEvent } from "../helpers/queue";
import { resourcePresenceReport, userActivityReport } from "../helpers/reports";
import { tenantWithToken } from "../helpers/tenants";

/** Every dashboard page behind the session, what the pages say, and the CSV download. */

const month = new Date().toISOString().slice(0, 7);
const PAGES = [
  "/dashboard",
  "/dashboard?app=teleport-cluster&from=2026-01-01&to=2026-03-31",
  "/dashboard/drops",
  "/dashboard/billing",
  `/dashboard/billing?month=${month}`,
  "/dashboard/catalogue",
  "/dashboard/health",
];

let cookie: string;
beforeAll(async () => {
  cookie = await signIn();
});

describe("the dashboard's pages", () => {
  it.each(PAGES)("%s answers 200 with a session, under a strict CSP and no-store", async (path) => {
    const res = await getPage(path, cookie);
    expect(res.status).toBe(200);
    await dashboardHtml(res);
  });

  it.each(PAGES)("%s sends a browser without a session to the sign-in form", async (path) => {
    const res = await getPage(path);
    expect(res.status).toBe(302);
    expect(res.headers.get("location")).toBe(`/dashboard/login?next=${encodeURIComponent(path)}`);
  });

  it.each([
    ...PAGES,
    `/dashboard/billing.csv?month=${month}`,
  ])("%s answers 401 to a script without a session", async (path) => {
    const res = await get(`${LOCAL}${path}`);
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: "unauthorized" });
  });

  it("says what to do when there is nothing to show yet", async () => {
    const events = await (
      await getPage("/dashboard?app=teleport-connect&from=2020-01-01&to=2020-01-31", cookie)
    ).text();
    expect(events).toContain("No events from teleport-connect between 2020-01-01 and 2020-01-31");
    expect(events).toContain(`curl -s ${LOCAL}/v1/events`);
    const drops = await (await getPage("/dashboard/drops?from=2020-01-01&to=2020-01-31", cookie)).text();
    expect(drops).toContain("No rejected events from teleport-connect");
    const billing = await (await getPage("/dashboard/billing?month=2020-01", cookie)).text();
    expect(billing).toMatch(/No tenants yet|No billing figures for 2020-01/);
  });

  it("answers 400 with the form and the reason for a range it cannot show", async () => {
    for (const query of [
      "from=2026-02-01&to=2026-01-01",
      "app=nope",
      "from=2020-01-01&to=2026-01-01",
      "from=yesterday",
    ]) {
      const res = await getPage(`/dashboard?${query}`, cookie);
      expect(res.status, query).toBe(400);
      expect(await res.text()).toContain('role="alert"');
    }
    expect((await getPage("/dashboard/billing?month=2026-13", cookie)).status).toBe(400);
  });

  it("escapes what it shows", async () => {
    const res = await getPage(`/dashboard/billing?month=${encodeURIComponent('<b id="x">')}`, cookie);
    expect(res.status).toBe(400);
    const page = await res.text();
    expect(page).toContain("&lt;b id=&quot;x&quot;&gt;");
    expect(page).not.toContain('<b id="x">');
  });

  it("draws a bar per day up to two months and per week beyond", async () => {
    await deliver([batchMessage([storedEvent({ timestamp: Date.parse("2026-01-17T09:00:00Z") })])]);
    const daily = await (await getPage("/dashboard?from=2026-01-01&to=2026-03-03", cookie)).text();
    expect(daily).toContain("Events per day, by event");
    expect(daily).toContain("<title>connect.protocol.use on 2026-01-17: 1</title>");
    const weekly = await (await getPage("/dashboard?from=2026-01-01&to=2026-03-04", cookie)).text();
    expect(weekly).toContain("Events per week, by event");
    // Weeks start on the range's first day: 01-01, 01-08, 01-15…
    expect(weekly).toContain("<title>connect.protocol.use on 2026-01-15: 1</title>");
  });
});

describe("the Events page's breakdowns", () => {
  it("shows installs by version with the small groups merged into (other)", async () => {
    const day = "2025-06-10";
    const versions = [
      ...Array(7).fill("17.0.1"),
      ...Array(6).fill("16.4.7"),
      ...Array(3).fill("15.0.0"),
      ...Array(2).fill("14.0.0"),
    ];
    const events = versions.map((app_version) =>
      storedEvent({ app_version, timestamp: Date.parse(`${day}T09:00:00Z`) }),
    );
    await deliver([batchMessage(events, { country: "NL" })]);
    const page = await (await getPage(`/dashboard?from=${day}&to=${day}`, cookie)).text();
    expect(page).toContain("<title>17.0.1: 7 installs</title>");
    expect(page).toContain("<title>16.4.7: 6 installs</title>");
    expect(page).toContain("<title>(other): 5 installs</title>");
    expect(page).not.toMatch(/15\.0\.0|14\.0\.0/);
    expect(page).toContain("<title>NL: 18 installs</title>");
  });
});

describe("the billing CSV download", () => {
  it("gives the month's rows exactly as the billing API's CSV does", async () => {
    const { issued } = await tenantWithToken("dashboard-csv-co");
    const start = new Date(Date.now() - 10 * 60_000).toISOString();
    const reports = [
      await userActivityReport({ start, users: ["alice", "bob"] }),
      await resourcePresenceReport({ start, nodes: ["n1", "n2", "n3"] }),
      {
        ...(await resourcePresenceReport({ start, nodes: [] })),
        kind: "identity_security",
        report_uuid: crypto.randomUUID(),
        resources: undefined,
        graph_size_records: [{ provider: "aws", total_identities: 12, total_resources: 34 }],
        audit_log_records: [{ provider: "cloudtrail", logs_ingested: 5600 }],
      },
    ];
    const posted = await postUsage({ reports }, bearer(issued.token));
    expect(posted.status).toBe(202);
    await computeBilling(env.DB, Date.now(), 3);

    const res = await getPage(`/dashboard/billing.csv?month=${month}`, cookie);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
    expect(res.headers.get("content-disposition")).toBe(`attachment; filename="edgehog-billing-${month}.csv"`);
    const csv = await res.text();
    const api = await get(`/v1/billing/usage?month=${month}`, { headers: { ...operator(), accept: "text/csv" } });
    expect(csv).toBe(await api.text());
    const [header, row] = csv.trim().split("\r\n");
    expect(header).toBe(
      "tenant_id,tenant_name,period_start,period_end,mau,tpr,mwi,mau_high_water,tpr_high_water,mwi_high_water," +
        "term_start,term_end,late_reports,formula_version,final,computed_at,mau_by_origin,summaries_generated," +
        "summary_input_tokens,summary_output_tokens,graph_identities,graph_resources,audit_logs_ingested," +
        "identity_security_by_provider",
    );
    expect(row).toMatch(/^tn_[0-9a-f]{20},dashboard-csv-co,\d{4}-\d\d-\d\d,\d{4}-\d\d-\d\d,2,3,0,2,3,0,/);

    const billing = await (await getPage(`/dashboard/billing?month=${month}`, cookie)).text();
    expect(billing).toContain("<title>dashboard-csv-co: 2 users</title>");
    expect(billing).toContain("<title>dashboard-csv-co: 3 resources</title>");
    // MAU by origin (the reports said none) and Identity Security, in their own tables.
    expect(billing).toMatch(/id="origin-table"[\s\S]*dashboard-csv-co[\s\S]*>2</);
    expect(billing).toMatch(/id="identity-security-table"[\s\S]*aws: 12 identities, 34 resources, 0 log entries/);
    expect(billing).toContain("cloudtrail: 0 identities, 0 resources, 5,600 log entries");
  });
});

describe("the catalogue page", () => {
  it("shows every event of every app, one app (and a large app's area) a page, each under 100 KB; unknown ones are 404 pages", async () => {
    const { publishedCatalogue } = await import("../../src/catalog/published");
    const weights: Record<string, number> = {};
    const shown = new Set<string>();
    for (const [i, app] of publishedCatalogue.apps.entries()) {
      const first = await (
        await getPage(i === 0 ? "/dashboard/catalogue" : `/dashboard/catalogue?app=${app.name}`, cookie)
      ).text();
      const areas = [...first.matchAll(/href="\/dashboard\/catalogue\?app=[^&"]+&amp;area=([^"]+)"/g)].map(
        (m) => m[1] ?? "",
      );
      const pages = areas.length === 0 ? [first] : [];
      for (const area of areas) {
        const res = await getPage(`/dashboard/catalogue?app=${app.name}&area=${area}`, cookie);
        expect(res.status).toBe(200);
        pages.push(await res.text());
      }
      for (const [j, page] of pages.entries()) {
        weights[`${app.name} ${areas[j] ?? ""}`] = page.length;
        expect(page.length, `${app.name} ${areas[j] ?? ""}`).toBeLessThan(100 * 1024);
        expect(page).toContain(`<h2 id="app-${app.name}">`);
        for (const other of publishedCatalogue.apps) {
          expect(page).toContain(`href="/dashboard/catalogue?app=${other.name}"`);
          if (other.name !== app.name) expect(page).not.toContain(`<h2 id="app-${other.name}">`);
        }
        for (const m of page.matchAll(/<h3 id="event-([^"]+)">/g)) shown.add(`${app.name}/${m[1]}`);
      }
    }
    // Every event of the catalogue is on exactly one of these pages.
    const all = publishedCatalogue.apps.flatMap((app) => app.events.map((event) => `${app.name}/${event.name}`));
    expect([...shown].sort()).toEqual(all.sort());
    console.log("catalogue pages:", weights);
    for (const path of ["/dashboard/catalogue?app=nope", "/dashboard/catalogue?app=teleport-cluster&area=nope"]) {
      const res = await getPage(path, cookie);
      expect(res.status, path).toBe(404);
      expect(res.headers.get("content-type")).toContain("text/html");
    }
  });
});

describe("page weight", () => {
  it("stays under 100 KB with every event on every day, for two months by day and a year by week", async () => {
    const events = Object.keys((await import("../../src/catalog/definition")).catalogue.events).filter((name) =>
      name.startsWith("connect."),
    );
    const first = Date.parse("2023-01-01T10:00:00Z");
    const stored = Array.from({ length: 366 }, (_, day) =>
      events.map((event, i) =>
        storedEvent({ event, timestamp: first + day * 86_400_000, app_version: `1${i}.0.${day % 9}`, os: "linux" }),
      ),
    ).flat();
    for (let i = 0; i < stored.length; i += 1000) await deliver([batchMessage(stored.slice(i, i + 1000))]);

    const weights: Record<string, string> = {};
    for (const query of ["from=2023-01-01&to=2023-03-03", "from=2023-01-01&to=2024-01-01"]) {
      const res = await getPage(`/dashboard?${query}`, cookie);
      expect(res.status).toBe(200);
      const body = await res.arrayBuffer();
      const gzipped = await compress(new Uint8Array(body));
      weights[query] = `${body.byteLength} bytes, ${gzipped.byteLength} gzipped`;
      expect(body.byteLength, query).toBeLessThan(100 * 1024);
    }
    console.log("heaviest Events pages:", weights);
  });
});
