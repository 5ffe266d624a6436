import { Hono } from "hono";
import { z } from "zod";
import { requireAdmin } from "../auth/require-admin";
import { readEventStats } from "../db/event-stats";
import type { AppEnv } from "../env";
import { ApiError } from "../http/errors";

const MAX_RANGE_DAYS = 366;
const day = z.iso.date();

const querySchema = z
  .object({ app: z.string().min(1).max(128), from: day, to: day })
  .refine((q) => q.from <= q.to, { message: "from must not be after to" })
  .refine((q) => (Date.parse(q.to) - Date.parse(q.from)) / 86_400_000 < MAX_RANGE_DAYS, {
    message: `the range may span at most ${MAX_RANGE_DAYS} days`,
  });

/** The operator read API: what was collected, per day. */
export const statsRoutes = new Hono<AppEnv>().get("/events", requireAdmin, async (c) => {
  const parsed = querySchema.safeParse(c.req.query());
  if (!parsed.success) {
    const issue = parsed.error.issues[0];
    const where = issue?.path.join(".");
    throw new ApiError(
      400,
      "invalid_query",
      `${where ? `${where}: ` : ""}${issue?.message ?? "invalid query"} (expected ?app=<app>&from=YYYY-MM-DD&to=YYYY-MM-DD)`,
    );
  }
  const { app, from, to } = parsed.data;
  return c.json(await readEventStats(c.env.DB, app, from, to));
});
