import { createRoute } from "@hono/zod-openapi";
import { z } from "zod";
import { OPERATOR_SECURITY, operatorErrorResponses } from "../admin/operator";
import type { AppEnv } from "../http/context";
import { ApiError } from "../http/errors";
import { jsonResponse, routesApp } from "../http/openapi";
import { appName, utcDaySchema } from "../http/schemas";
import { eventDatabases } from "../lib/event-databases";
import { ARCHIVE_KEY, encodeEvents, objectKey } from "./objects";
import { PARQUET_CONTENT_TYPE } from "./parquet";
import { archiveObject, exportLines, listDay, withoutForgotten } from "./reader";

/**
 * The operator's view of the raw-event archive (mounted under /v1/admin, behind ADMIN_TOKEN):
 * `GET /archive/objects?day=` lists a day's objects, `GET /archive/events?day=[&app=][&hour=]`
 * streams its events as NDJSON (forgotten installs left out, repeated uuids dropped within an
 * hour; `npm run export` calls it), `GET /archive/object?key=` one object as Parquet without
 * forgotten installs (`npm run export -- --parquet`: a copy of the archive's Hive-style tree that
 * DuckDB, ClickHouse or Spark query where they run), `GET /archive/forgotten` lists the
 * tombstones as NDJSON, for readers that query the bucket directly (docs/SCALING.md).
 */

const dayQuery = z.object({
  day: utcDaySchema,
  app: appName.optional(),
  hour: z
    .string()
    .regex(/^([01]\d|2[0-3])$/, "must be two digits, 00 to 23")
    .optional(),
});

const ndjson = (description: string) => ({
  description,
  content: { "application/x-ndjson": { schema: z.string().describe("one JSON object per line") } },
});
const common = { tags: ["archive"], security: OPERATOR_SECURITY };

const objectsRoute = createRoute({
  ...common,
  method: "get",
  path: "/archive/objects",
  summary: "A day's archive objects (by hour of arrival)",
  request: { query: dayQuery },
  responses: { 200: jsonResponse("the objects, their events and bytes"), ...operatorErrorResponses("invalid_query") },
});
const eventsRoute = createRoute({
  ...common,
  method: "get",
  path: "/archive/events",
  summary: "A day's archived events as NDJSON (forgotten installs left out; npm run export)",
  request: { query: dayQuery },
  responses: { 200: ndjson("the events, one per line"), ...operatorErrorResponses("invalid_query") },
});
const objectRoute = createRoute({
  ...common,
  method: "get",
  path: "/archive/object",
  summary: "One archive object as Parquet, without forgotten installs (npm run export -- --parquet)",
  request: {
    query: z.object({
      key: z
        .string()
        .max(512)
        .regex(
          ARCHIVE_KEY,
          "must be the key of an archive object, events/app=<app>/day=<YYYY-MM-DD>/hour=<HH>/<object>",
        )
        .describe("the object's key, as GET /archive/objects lists it"),
    }),
  },
  responses: {
    200: {
      description:
        "the object's events as Parquet (objects from before Parquet converted); X-Edgehog-Events counts them",
      headers: { "x-edgehog-events": { schema: { type: "integer" }, description: "the events in the object" } },
      content: { [PARQUET_CONTENT_TYPE]: { schema: z.string().describe("a Parquet file (binary)") } },
    },
    ...operatorErrorResponses("invalid_query", "unknown_archive_object"),
  },
});
const forgottenRoute = createRoute({
  ...common,
  method: "get",
  path: "/archive/forgotten",
  summary: "The tombstones of forgotten installs as NDJSON, for readers of the bucket",
  responses: { 200: ndjson("one tombstone per line"), ...operatorErrorResponses() },
});

/** Tombstones read per query. */
const TOMBSTONE_PAGE = 10_000;

export const archiveRoutes = routesApp<AppEnv>()
  .openapi(objectsRoute, async (c) => {
    const { day, app, hour } = c.req.valid("query");
    const objects = (await listDay(c.env.ARCHIVE, day, app)).filter(
      (object) => hour === undefined || object.hour === hour,
    );
    return c.json(
      {
        day,
        objects,
        events: objects.reduce((n, object) => n + object.events, 0),
        bytes: objects.reduce((n, object) => n + object.bytes, 0),
      },
      200,
    );
  })
  .openapi(eventsRoute, async (c) => {
    const { day, app, hour } = c.req.valid("query");
    const objects = (await listDay(c.env.ARCHIVE, day, app)).filter(
      (object) => hour === undefined || object.hour === hour,
    );
    const lines = exportLines(c.env.ARCHIVE, eventDatabases(c.env), objects);
    const encoder = new TextEncoder();
    const body = new ReadableStream<Uint8Array>({
      async pull(controller) {
        try {
          const next = await lines.next();
          if (next.done) controller.close();
          else controller.enqueue(encoder.encode(next.value));
        } catch (err) {
          console.error("exporting the archive failed", err);
          controller.error(err);
        }
      },
    });
    return new Response(body, { headers: { "content-type": "application/x-ndjson; charset=utf-8" } });
  })
  .openapi(objectRoute, async (c) => {
    const { key } = c.req.valid("query");
    const object = await archiveObject(c.env.ARCHIVE, key);
    const events = object && (await withoutForgotten(c.env.ARCHIVE, eventDatabases(c.env), object));
    if (!object || !events) throw new ApiError("unknown_archive_object", "no object of the archive has that key");
    // Objects from before Parquet are converted: an export is Parquet throughout.
    const { body, contentType } = await encodeEvents(objectKey(object.app, object.day, object.hour, "export"), events);
    return c.body(new Uint8Array(body), 200, {
      "content-type": contentType,
      "x-edgehog-events": String(events.length),
    });
  })
  .openapi(forgottenRoute, async (c) => {
    const rows: string[] = [];
    for (const db of eventDatabases(c.env).all) {
      let after = "";
      for (;;) {
        const { results } = await db
          .prepare(
            "SELECT distinct_id, forgotten_at FROM forgotten_installs WHERE distinct_id > ?1 ORDER BY distinct_id LIMIT ?2",
          )
          .bind(after, TOMBSTONE_PAGE)
          .all<{ distinct_id: string; forgotten_at: number }>();
        for (const row of results) {
          rows.push(
            JSON.stringify({ distinct_id: row.distinct_id, forgotten_at: new Date(row.forgotten_at).toISOString() }),
          );
        }
        if (results.length < TOMBSTONE_PAGE) break;
        after = results[results.length - 1]?.distinct_id ?? "";
      }
    }
    return c.body(rows.map((row) => `${row}\n`).join(""), 200, {
      "content-type": "application/x-ndjson; charset=utf-8",
    });
  });
