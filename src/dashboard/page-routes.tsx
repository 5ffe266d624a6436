import { Hono } from "hono";
import { z } from "zod";
import { readBillingUsage } from "../billing/queries";
import { billingCsv } from "../billing/report-row";
import { noRoute } from "../http/errors";
import { monthSchema } from "../http/schemas";
import { validQuery } from "../http/validation";
import { eventDatabases } from "../lib/event-databases";
import { statsMinInstallsOf } from "../lib/small-groups";
import { readBreakdown } from "../stats/breakdown";
import { readHealth } from "../stats/health";
import { readEventStats } from "../stats/queries";
import { billingPageRoutes } from "./billing-routes";
import { originOf } from "./origin";
import { CataloguePage } from "./pages/catalogue";
import { DropsPage } from "./pages/drops";
import { EventsPage } from "./pages/events";
import { HealthPage } from "./pages/health";
import type { DashboardEnv } from "./renderer";
import { bucketsOf, rangeOf } from "./series";
import { requireSession } from "./session";

/**
 * The signed-in pages: one session guard for the whole group, mounted before any of them, so a
 * page added here cannot be left open. Each page reads what it shows and renders it with
 * `c.render` (renderer.tsx). The group ends with the dashboard's not-found: a path under
 * /dashboard that is no page is a 404 page to a signed-in browser (Hono answers a mounted app's
 * unknown paths with the parent's notFound, so the dashboard's is this last route).
 */

export const pageRoutes = new Hono<DashboardEnv>()
  .use(requireSession)
  .get("/", async (c) => {
    const { range, error } = rangeOf(c.req.query(), Date.now());
    const [stats, breakdown] = await Promise.all([
      readEventStats(eventDatabases(c.env), range.app, range.from, range.to),
      readBreakdown(eventDatabases(c.env), range.app, range.from, range.to, statsMinInstallsOf(c.env)),
    ]);
    c.status(error ? 400 : 200);
    return c.render(
      <EventsPage
        range={range}
        error={error}
        stats={stats}
        breakdown={breakdown}
        buckets={bucketsOf(range.from, range.to)}
        origin={originOf(c.req.url)}
      />,
      { title: "Events", current: "/dashboard" },
    );
  })
  .get("/drops", async (c) => {
    const { range, error } = rangeOf(c.req.query(), Date.now());
    const stats = await readEventStats(eventDatabases(c.env), range.app, range.from, range.to);
    c.status(error ? 400 : 200);
    return c.render(<DropsPage range={range} error={error} stats={stats} buckets={bucketsOf(range.from, range.to)} />, {
      title: "Visible drops",
      current: "/dashboard/drops",
    });
  })
  .route("/billing", billingPageRoutes)
  .get("/billing.csv", validQuery(z.object({ month: monthSchema }), "?month=YYYY-MM"), async (c) => {
    const { month } = c.req.valid("query");
    return billingCsv(c, month, await readBillingUsage(c.env.DB, month));
  })
  .get("/catalogue", (c) => c.render(<CataloguePage />, { title: "Catalogue", current: "/dashboard/catalogue" }))
  .get("/health", async (c) => {
    const health = await readHealth(c.env.DB);
    return c.render(<HealthPage health={health} origin={originOf(c.req.url)} />, {
      title: "Health",
      current: "/dashboard/health",
    });
  })
  .all("*", (c) => {
    throw noRoute(c);
  });
