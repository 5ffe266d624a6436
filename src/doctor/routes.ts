import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { OPERATOR_SECURITY, operatorErrorResponses } from "../admin/operator";
import { uuidV7Time } from "../aggregate/dedupe-keys";
import { isStored } from "../aggregate/packs";
import type { AppEnv } from "../http/context";
import { ApiError } from "../http/errors";
import { jsonResponse, routesApp } from "../http/openapi";
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
const common = { tags: ["doctor"], security: OPERATOR_SECURITY };

const doctorRoute = createRoute({
  ...common,
  method: "get",
  path: "/doctor",
  summary: "Every check of the deployment (bindings, migrations, secrets): 200 when all pass, 503 otherwise",
  responses: {
    200: jsonResponse("every check passed"),
    ...operatorErrorResponses("doctor_found_problems"),
  },
});

const eventRoute = createRoute({
  ...common,
  method: "get",
  path: "/doctor/events/{uuid}",
  summary: "Whether an event is stored (its uuid in the dedupe index)",
  request: {
    params: z.object({ uuid: z.string().describe("the event's uuid, a random version 7 one") }),
    query: z.object({ distinct_id: z.string().max(64).describe("the event's install id, as it carried it") }),
  },
  responses: { 200: jsonResponse("{ uuid, stored }"), ...operatorErrorResponses("invalid_uuid", "invalid_query") },
});

export const doctorRoutes = routesApp<AppEnv>()
  .openapi(doctorRoute, async (c) => {
    const checks = await runChecks(c.env);
    const failed = checks.filter((check) => !check.ok).length;
    if (failed === 0) return c.json({ ok: true, checks }, 200);
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
  .openapi(eventRoute, async (c) => {
    const uuid = randomUuid(c.req.valid("param").uuid);
    const at = uuid === undefined ? undefined : uuidV7Time(uuid);
    if (uuid === undefined || at === undefined) {
      throw new ApiError("invalid_uuid", "uuid: the doctor looks events up by a random version 7 uuid");
    }
    const install = installId(c.req.valid("query").distinct_id);
    if (install === undefined) {
      throw new ApiError("invalid_query", "distinct_id: a random UUID or a digest, as the event carried it");
    }
    const databases = eventDatabases(c.env);
    const db = databases.all[databases.shardOf(install, Math.floor(at / DAY_MS))] as D1Database;
    const stored = await isStored(db, install, Math.floor(at / 1000), uuid);
    return c.json({ uuid, stored }, 200);
  });
