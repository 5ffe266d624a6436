import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { OPERATOR_SECURITY, operatorErrorResponses } from "../admin/operator";
import type { AppEnv } from "../http/context";
import { jsonResponse, routesApp } from "../http/openapi";
import { appName, dayRange, rangeDays } from "../http/schemas";
import { eventDatabases } from "../lib/event-databases";
import { statsMinInstallsOf } from "../lib/small-groups";
import { readBreakdown } from "./breakdown";
import { readHealth } from "./health";
import { readEventStats } from "./queries";

/**
 * The operator read API (mounted into the operator group under /v1/stats):
 * `GET /v1/stats/events` (what was collected per day), `GET /v1/stats/breakdown` (installs by
 * version, OS and country, small groups hidden) and `GET /v1/stats/health`.
 */

/** An app and a range of UTC days, both included. */
const rangeQuery = dayRange(z.object({ app: appName, ...rangeDays }));

const rangeRoute = (path: string, summary: string) =>
  createRoute({
    method: "get",
    path,
    tags: ["stats"],
    summary,
    security: OPERATOR_SECURITY,
    request: { query: rangeQuery },
    responses: { 200: jsonResponse(summary), ...operatorErrorResponses("invalid_query") },
  });

export const statsRoutes = routesApp<AppEnv>()
  .openapi(
    createRoute({
      method: "get",
      path: "/health",
      tags: ["stats"],
      summary: "The pipeline's health: queues, dead letters, rejections, forwarding",
      security: OPERATOR_SECURITY,
      responses: { 200: jsonResponse("the health figures"), ...operatorErrorResponses() },
    }),
    async (c) => c.json(await readHealth(c.env.DB, c.env), 200),
  )
  .openapi(rangeRoute("/events", "Events, rejections and drops per day of one app"), async (c) => {
    const { app, from, to } = c.req.valid("query");
    return c.json(await readEventStats(eventDatabases(c.env), app, from, to), 200);
  })
  .openapi(rangeRoute("/breakdown", "Installs by version, OS and country (small groups hidden)"), async (c) => {
    const { app, from, to } = c.req.valid("query");
    return c.json(await readBreakdown(eventDatabases(c.env), app, from, to, statsMinInstallsOf(c.env)), 200);
  });
