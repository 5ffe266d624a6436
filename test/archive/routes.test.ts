import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it } from "vitest";
import { type ArchivedEvent, encodeEvents, gzipLines } from "../../src/archive/objects";
import { decodeParquet } from "../../src/archive/parquet-read";
import type { ArchiveObject } from "../../src/archive/reader";
import { bearer, get, operator } from "../helpers/harness";
import { batchMessage, deliver, emptyArchive, storedEvent } from "../helpers/queue";

/**
 * The operator's archive routes: a day's objects, its events as NDJSON (forgotten installs
 * left out even where the archive still holds them, repeated uuids once), the tombstones.
 */

function admin(path: string, headers = operator()) {
  return get(`/v1/admin${path}`, { headers, ip: "192.0.2.44" });
}

const ndjson = async (res: Response) =>
  new TextDecoder()
    .decode(await res.arrayBuffer())
    .split("\n")
    .filter((line) => line.length > 0)
    .map((line) => JSON.parse(line));

beforeEach(() => emptyArchive());

describe("GET /v1/admin/archive/*", () => {
  it("lists a day's objects with their events and sizes", async () => {
    const at = (time: string) => ({ received_at: Date.parse(time) });
    await deliver([batchMessage([storedEvent(), storedEvent()], at("2026-11-20T10:05:00Z"))]);
    await deliver([batchMessage([storedEvent()], at("2026-11-20T13:30:00Z"))]);
    await deliver([batchMessage([storedEvent()], at("2026-11-21T01:00:00Z"))]);
    const res = await admin("/archive/objects?day=2026-11-20");
    expect(res.status).toBe(200);
    const body = (await res.json()) as { day: string; objects: ArchiveObject[]; events: number; bytes: number };
    expect(body.objects.map((object) => [object.app, object.day, object.hour, object.events])).toEqual([
      ["teleport-connect", "2026-11-20", "10", 2],
      ["teleport-connect", "2026-11-20", "13", 1],
    ]);
    expect(body.events).toBe(3);
    expect(body.bytes).toBe(body.objects.reduce((n, object) => n + object.bytes, 0));
    const hour = (await (await admin("/archive/objects?day=2026-11-20&hour=13&app=teleport-connect")).json()) as {
      objects: ArchiveObject[];
    };
    expect(hour.objects).toHaveLength(1);
  });

  it("exports a day's events once each, without forgotten installs even where the archive still holds them", async () => {
    const forgotten = crypto.randomUUID();
    const events = [storedEvent(), storedEvent({ distinct_id: forgotten }), storedEvent()];
    await deliver([batchMessage(events)]);
    await deliver([batchMessage([events[0] as (typeof events)[0]])]); // a client's resend: archived again
    // Forgotten after its events were archived (a folded day's objects are never rewritten).
    await env.DB.prepare("INSERT INTO forgotten_installs (distinct_id, forgotten_at) VALUES (?1, ?2)")
      .bind(forgotten, Date.parse("2026-11-25T00:00:00Z"))
      .run();

    const res = await admin("/archive/events?day=2026-11-20&app=teleport-connect");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("application/x-ndjson");
    const exported = (await ndjson(res)) as ArchivedEvent[];
    expect(exported.map((event) => event.uuid).sort()).toEqual([events[0]?.uuid, events[2]?.uuid].sort());

    const tombstones = await ndjson(await admin("/archive/forgotten"));
    expect(tombstones).toContainEqual({ distinct_id: forgotten, forgotten_at: "2026-11-25T00:00:00.000Z" });
  });

  it("exports each object as Parquet without forgotten installs, objects from before Parquet converted", async () => {
    const forgotten = crypto.randomUUID();
    const events = [storedEvent(), storedEvent({ distinct_id: forgotten }), storedEvent()];
    await deliver([batchMessage(events)]);
    const listed = (await (await admin("/archive/objects?day=2026-11-20")).json()) as { objects: ArchiveObject[] };
    const key = listed.objects[0]?.key ?? "";
    expect(key).toMatch(/^events\/app=teleport-connect\/day=2026-11-20\/hour=10\/[0-9a-f]{32}\.parquet$/);
    await env.DB.prepare("INSERT INTO forgotten_installs (distinct_id, forgotten_at) VALUES (?1, ?2)")
      .bind(forgotten, Date.now())
      .run();
    // An object written before Parquet: gzipped NDJSON.
    const stored = await decodeParquet(
      await ((await env.ARCHIVE.get(key)) as R2ObjectBody).arrayBuffer(),
      "teleport-connect",
    );
    const legacy = key.replace(/[0-9a-f]{32}\.parquet$/, "0123.ndjson.gz");
    await env.ARCHIVE.put(legacy, gzipLines(stored.map((event) => JSON.stringify(event))));

    for (const name of [key, legacy]) {
      const res = await admin(`/archive/object?key=${encodeURIComponent(name)}`);
      expect(res.status).toBe(200);
      expect(res.headers.get("content-type")).toBe("application/vnd.apache.parquet");
      const exported = await decodeParquet(await res.arrayBuffer(), "teleport-connect");
      expect(exported).toEqual(stored.filter((event) => event.distinct_id !== forgotten));
      expect(exported).toHaveLength(2);
    }
    expect((await encodeEvents(key, stored)).contentType).toBe("application/vnd.apache.parquet");
    // Only keys of the archive's objects: another key is not one (400), an absent object is not found (404).
    const outside = await admin("/archive/object?key=tenants%2Fsecret");
    expect(outside.status).toBe(400);
    expect(await outside.json()).toMatchObject({ error: "invalid_query" });
    const absent = await admin(`/archive/object?key=${encodeURIComponent(key.replace(/\.parquet$/, "x.parquet"))}`);
    expect(absent.status).toBe(404);
    expect(await absent.json()).toMatchObject({ error: "unknown_archive_object" });
  });

  it("answers 400 to a bad day and 401 without the operator token", async () => {
    const bad = await admin("/archive/objects?day=2026-13-01");
    expect(bad.status).toBe(400);
    expect(await bad.json()).toMatchObject({ error: "invalid_query" });
    expect((await admin("/archive/objects?day=2026-11-20", bearer("wrong-token-wrong-token-wrong-token"))).status).toBe(
      401,
    );
  });
});
