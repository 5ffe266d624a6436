import { Hono } from "hono";
import { z } from "zod";
import { readBillingUsage } from "../billing/queries";
import { billingCsv } from "../billing/report-row";
import { noRoute } from "../http/errors";
import { monthSchema } from "../http/schemas";
import { validQuery } from "../http/validation";
import { adoptionAnswer, breakdownAnswer, funnelAnswer, retentionAnswer } from "../insights/answers";
import { eventDatabases } from "../lib/event-databases";
import { statsMinInstallsOf } from "../lib/small-groups";
import { readBreakdown } from "../stats/breakdown";
import { readHealth } from "../stats/health";
import { readEventStats } from "../stats/queries";
import { billingPageRoutes } from "./billing-routes";
import { insightsChoiceOf, sectionOf } from "./insights-choice";
import { originOf } from "./origin";
import { CataloguePage, catalogueViewOf } from "./pages/catalogue";
import { DropsPage } from "./pages/drops";
import { EventsPage } from "./pages/events";
import { HealthPage } from "./pages/health";
import { InsightsPage } from "./pages/insights";
import type { DashboardEnv } from "./renderer";
import { APP_NAMES, bucketsOf, rangeOf } from "./series";
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
  .get("/insights", async (c) => {
    const { range, error } = rangeOf(c.req.query(), Date.now());
    const { choice, events, properties } = insightsChoiceOf(c.req.query(), range);
    const db = eventDatabases(c.env);
    const min = statsMinInstallsOf(c.env);
    const compare = choice.compare ? ("previous" as const) : undefined;
    const [breakdown, adoption, retention, funnel] = await Promise.all([
      sectionOf(() =>
        breakdownAnswer(
          db,
          {
            ...range,
            event: choice.event,
            property: choice.property,
            os: choice.os || undefined,
            app_version: choice.app_version || undefined,
            compare,
          },
          min,
        ),
      ),
      sectionOf(() => adoptionAnswer(db, { ...range, compare }, min)),
      sectionOf(() => retentionAnswer(db, { ...range, period: choice.period }, min)),
      sectionOf(() => funnelAnswer(db, { ...range, steps: choice.steps, window_days: choice.window_days }, min)),
    ]);
    c.status(error ? 400 : 200);
    return c.render(
      <InsightsPage
        choice={choice}
        apps={APP_NAMES}
        events={events}
        properties={properties}
        breakdown={breakdown}
        adoption={adoption}
        retention={retention}
        funnel={funnel}
      />,
      { title: "Insights", current: "/dashboard/insights" },
    );
  })
  .get("/catalogue", (c) => {
    const view = catalogueViewOf(c.req.query("app"), c.req.query("area"));
    if (!view) throw noRoute(c);
    return c.render(<CataloguePage view={view} />, { title: "Catalogue", current: "/dashboard/catalogue" });
  })
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
