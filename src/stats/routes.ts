import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../http/context";
import { validQuery } from "../http/validation";
import { eventDatabases } from "../lib/event-databases";
import { DAY_MS } from "../lib/time";
import { readBreakdown } from "./breakdown";
import { readHealth } from "./health";
import { readEventStats } from "./queries";
import { statsMinInstallsOf } from "./small-groups";

/**
 * The operator read API: `GET /v1/stats/events` (what was collected per day),
 * `GET /v1/stats/breakdown` (installs by version, OS and country, small groups hidden) and
 * `GET /v1/stats/health`.
 */

const MAX_RANGE_DAYS = 366;
const day = z.iso.date();

/** An app and a range of UTC days, both included. */
const rangeQuerySchema = z
  .object({ app: z.string().min(1).max(128), from: day, to: day })
  .refine((q) => q.from <= q.to, { message: "from must not be after to" })
  .refine((q) => (Date.parse(q.to) - Date.parse(q.from)) / DAY_MS < MAX_RANGE_DAYS, {
    message: `the range may span at most ${MAX_RANGE_DAYS} days`,
  });

const expectedQuery = "?app=<app>&from=YYYY-MM-DD&to=YYYY-MM-DD";

export const statsRoutes = new Hono<AppEnv>()
  .get("/health", async (c) => c.json(await readHealth(c.env.DB, c.env)))
  .get("/events", validQuery(rangeQuerySchema, expectedQuery), async (c) => {
    const { app, from, to } = c.req.valid("query");
    return c.json(await readEventStats(eventDatabases(c.env), app, from, to));
  })
  .get("/breakdown", validQuery(rangeQuerySchema, expectedQuery), async (c) => {
    const { app, from, to } = c.req.valid("query");
    return c.json(await readBreakdown(eventDatabases(c.env), app, from, to, statsMinInstallsOf(c.env)));
  });
