import { Hono } from "hono";
import { z } from "zod";
import type { AppEnv } from "../http/context";
import { ApiError, backendUnavailable } from "../http/errors";
import { validQuery } from "../http/validation";
import { eventDatabases } from "../lib/event-databases";
import { encodeEvents, objectKey } from "./objects";
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
  day: z.iso.date(),
  app: z.string().min(1).max(128).optional(),
  hour: z
    .string()
    .regex(/^([01]\d|2[0-3])$/, "must be two digits, 00 to 23")
    .optional(),
});
const expected = "?day=YYYY-MM-DD[&app=<app>][&hour=HH]";

/** Tombstones read per query. */
const TOMBSTONE_PAGE = 10_000;

async function fromArchive<T>(work: Promise<T>): Promise<T> {
  try {
    return await work;
  } catch (err) {
    console.error("reading the archive failed", err);
    throw backendUnavailable("archive_unavailable", "the archive could not be read right now; retry later");
  }
}

export const archiveRoutes = new Hono<AppEnv>()
  .get("/archive/objects", validQuery(dayQuery, expected), async (c) => {
    const { day, app, hour } = c.req.valid("query");
    const objects = (await fromArchive(listDay(c.env.ARCHIVE, day, app))).filter(
      (object) => hour === undefined || object.hour === hour,
    );
    return c.json({
      day,
      objects,
      events: objects.reduce((n, object) => n + object.events, 0),
      bytes: objects.reduce((n, object) => n + object.bytes, 0),
    });
  })
  .get("/archive/events", validQuery(dayQuery, expected), async (c) => {
    const { day, app, hour } = c.req.valid("query");
    const objects = (await fromArchive(listDay(c.env.ARCHIVE, day, app))).filter(
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
  .get(
    "/archive/object",
    validQuery(z.object({ key: z.string().max(512) }), "?key=events/app=<app>/day=<day>/hour=<hour>/<object>"),
    async (c) => {
      const { key } = c.req.valid("query");
      const object = await fromArchive(archiveObject(c.env.ARCHIVE, key));
      if (!object) throw new ApiError(404, "not_found", "no object of the archive has that key");
      const events = await fromArchive(withoutForgotten(c.env.ARCHIVE, eventDatabases(c.env), object));
      if (!events) throw new ApiError(404, "not_found", "no object of the archive has that key");
      // Objects from before Parquet are converted: an export is Parquet throughout.
      const parquet = objectKey(object.app, object.day, object.hour, "export");
      const { body, contentType } = encodeEvents(parquet, events);
      return c.body(new Uint8Array(body), 200, {
        "content-type": contentType,
        "x-edgehog-events": String(events.length),
      });
    },
  )
  .get("/archive/forgotten", async (c) => {
    const rows: string[] = [];
    for (const db of eventDatabases(c.env).all) {
      let after = "";
      for (;;) {
        const { results } = await fromArchive(
          db
            .prepare(
              "SELECT distinct_id, forgotten_at FROM forgotten_installs WHERE distinct_id > ?1 ORDER BY distinct_id LIMIT ?2",
            )
            .bind(after, TOMBSTONE_PAGE)
            .all<{ distinct_id: string; forgotten_at: number }>(),
        );
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
