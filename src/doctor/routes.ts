import { Hono } from "hono";
import { z } from "zod";
import { uuidV7Time } from "../aggregate/plan";
import { isStored } from "../aggregate/statements";
import type { AppEnv } from "../http/context";
import { ApiError, backendUnavailable } from "../http/errors";
import { validQuery } from "../http/validation";
import { eventDatabases } from "../lib/event-databases";
import { DAY_MS } from "../lib/time";
import { installId, randomUuid } from "../privacy/ids";
import { runChecks } from "./checks";

/**
 * The operator's post-deploy check (`npm run doctor`), behind ADMIN_TOKEN like every
 * `/v1/admin` route:
 * - `GET /v1/admin/doctor`: every check of checks.ts; 200 when all pass, else 503 with the
 *   same list, so that a monitor polling it sees the failure in the status alone;
 * - `GET /v1/admin/doctor/events/{uuid}?distinct_id=…`: whether an event is stored, i.e. its
 *   uuid is in the dedupe index, which the consumer fills in the same transaction as the
 *   counts. The doctor sends a real event through `POST /v1/events` and asks this until it is:
 *   the public door, the Queue, the consumer and D1, end to end. The uuid must be a version 7
 *   one, whose dedupe key is the time written in it; the install names the event database.
 */
export const doctorRoutes = new Hono<AppEnv>()
  .get("/doctor", async (c) => {
    const checks = await runChecks(c.env);
    const failed = checks.filter((check) => !check.ok).length;
    if (failed === 0) return c.json({ ok: true, checks });
    return c.json(
      {
        error: "doctor_found_problems",
        message: `${failed} of ${checks.length} checks failed`,
        ok: false,
        checks,
      },
      503,
    );
  })
  .get(
    "/doctor/events/:uuid",
    validQuery(z.object({ distinct_id: z.string().max(64) }), "?distinct_id=<the event's install id>"),
    async (c) => {
      const uuid = randomUuid(c.req.param("uuid"));
      const at = uuid === undefined ? undefined : uuidV7Time(uuid);
      if (uuid === undefined || at === undefined) {
        throw new ApiError(400, "invalid_uuid", "uuid: the doctor looks events up by a random version 7 uuid");
      }
      const install = installId(c.req.valid("query").distinct_id);
      if (install === undefined) {
        throw new ApiError(400, "invalid_query", "distinct_id: a random UUID or a digest, as the event carried it");
      }
      const databases = eventDatabases(c.env);
      const db = databases.all[databases.shardOf(install, Math.floor(at / DAY_MS))] as D1Database;
      let stored: boolean;
      try {
        stored = await isStored(db, install, Math.floor(at / 1000), uuid);
      } catch (err) {
        console.error("doctor: looking an event up failed", err);
        throw backendUnavailable("database_unavailable", "the event database did not answer; try again");
      }
      return c.json({ uuid, stored });
    },
  );
