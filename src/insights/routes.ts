import { createRoute } from "@hono/zod-openapi";
import type { Context } from "hono";
import { accepts } from "hono/accepts";
import { z } from "zod";
import { OPERATOR_SECURITY, operatorErrorResponses } from "../admin/operator";
import type { AppEnv } from "../http/context";
import { toCsv } from "../http/csv";
import { routesApp } from "../http/openapi";
import { appName, dayRange, rangeDays } from "../http/schemas";
import { eventDatabases } from "../lib/event-databases";
import { statsMinInstallsOf } from "../lib/small-groups";
import { adoptionAnswer, breakdownAnswer, funnelAnswer, retentionAnswer } from "./answers";
import { adoptionCsv, breakdownCsv, type CsvTable, funnelCsv, retentionCsv } from "./csv";

/**
 * The insights API (mounted into the operator group under /v1/insights): breakdowns of an
 * event by a property, adoption of every event, retention cohorts and funnels, as JSON or, with
 * `Accept: text/csv`, CSV. Ranges are UTC days widened to whole weeks (range.ts); every count
 * goes through the small-group rule.
 */

const name = z.string().min(1).max(128);
const compare = z.enum(["previous"]).optional().describe("add the previous period of the same length");

const breakdownQuery = dayRange(
  z.object({
    app: appName,
    ...rangeDays,
    event: name,
    property: name,
    interval: z.enum(["day", "week"]).optional(),
    os: name.optional(),
    app_version: name.optional(),
    compare,
  }),
);
const adoptionQuery = dayRange(z.object({ app: appName, ...rangeDays, compare }));
const retentionQuery = dayRange(
  z.object({ app: appName, ...rangeDays, period: z.enum(["week", "day"]).default("week") }),
);
const funnelQuery = dayRange(
  z.object({
    app: appName,
    ...rangeDays,
    steps: z
      .string()
      .transform((s) => s.split(","))
      .pipe(z.array(name).min(2, "a funnel has 2 to 5 steps").max(5, "a funnel has 2 to 5 steps"))
      .describe("2 to 5 event names, comma-separated"),
    window_days: z.coerce.number().int().min(1).max(366).default(7),
    by: z.enum(["os", "app_version"]).optional(),
  }),
);

const route = <Q extends z.ZodObject>(path: string, summary: string, query: Q) =>
  createRoute({
    method: "get",
    path,
    tags: ["insights"],
    summary: `${summary} (JSON, or CSV with Accept: text/csv)`,
    security: OPERATOR_SECURITY,
    request: { query },
    responses: {
      200: {
        description: summary,
        content: {
          "application/json": { schema: z.looseObject({}) },
          "text/csv": { schema: z.string().describe("the same published cells, one per line") },
        },
      },
      ...operatorErrorResponses("invalid_query", "unknown_app"),
    },
  });

/** The answer as JSON, or as CSV when the client asks for it. */
function answer(c: Context, kind: string, json: object, csv: CsvTable): Response {
  const type = accepts(c, {
    header: "Accept",
    supports: ["application/json", "text/csv"],
    default: "application/json",
  });
  if (type !== "text/csv") return c.json(json, 200);
  c.header("Content-Type", "text/csv; charset=utf-8");
  c.header("Content-Disposition", `attachment; filename="edgehog-${kind}.csv"`);
  return c.body(toCsv(csv.columns, csv.rows));
}

export const insightsRoutes = routesApp<AppEnv>()
  .openapi(
    route("/breakdown", "Events and installs of an event per value of a property", breakdownQuery),
    async (c) => {
      const q = c.req.valid("query");
      const result = await breakdownAnswer(eventDatabases(c.env), q, statsMinInstallsOf(c.env));
      return answer(c, "breakdown", result, breakdownCsv(result));
    },
  )
  .openapi(
    route("/adoption", "Installs that sent each event, and their share of active installs", adoptionQuery),
    async (c) => {
      const q = c.req.valid("query");
      const result = await adoptionAnswer(eventDatabases(c.env), q, statsMinInstallsOf(c.env));
      return answer(c, "adoption", result, adoptionCsv(result));
    },
  )
  .openapi(
    route("/retention", "Cohorts of installs by first active period, and how many came back", retentionQuery),
    async (c) => {
      const q = c.req.valid("query");
      const result = await retentionAnswer(eventDatabases(c.env), q, statsMinInstallsOf(c.env));
      return answer(c, "retention", result, retentionCsv(result));
    },
  )
  .openapi(
    route("/funnel", "Installs that went through 2 to 5 events in order, within a window of days", funnelQuery),
    async (c) => {
      const q = c.req.valid("query");
      const result = await funnelAnswer(eventDatabases(c.env), q, statsMinInstallsOf(c.env));
      return answer(c, "funnel", result, funnelCsv(result));
    },
  );
