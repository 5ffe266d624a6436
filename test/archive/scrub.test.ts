import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type ArchivedEvent, encodeEvents, eventsOf, objectKey, partitionPrefix } from "../../src/archive/objects";
import { scrubArchive } from "../../src/archive/scrub";
import { scheduleScrubs } from "../../src/archive/scrub-requests";
import { DAY_MS, utcDay } from "../../src/lib/time";
import { meteredR2, r2Meter } from "../helpers/metered";

/**
 * The archive rewrite for forgets (the hourly job): a run reads at most its budget of objects,
 * a day larger than that is finished by the next runs from where the last one stopped, no
 * object is read twice for one forget, and in the end no line of a forgotten install is left
 * while every other line is; in Parquet objects and in the gzipped NDJSON ones from before alike.
 */

const APP = "teleport-connect";
let dayCounter = 0;
/** A day of its own for each case: the file's storage is shared. */
const freshDay = () => utcDay(Date.parse("2025-01-01T00:00:00Z") + dayCounter++ * DAY_MS);

const event = (distinctId: string): ArchivedEvent => ({
  uuid: crypto.randomUUID(),
  app: APP,
  event: "connect.protocol.use",
  distinct_id: distinctId,
  timestamp: "2025-01-01T10:00:00.000Z",
  received_at: "2025-01-01T10:00:01.000Z",
  app_version: "17.0.1",
  os: "linux",
  country: null,
  tenant_id: null,
  properties: { protocol: "ssh" },
});

/**
 * Writes a day's objects, one per list of installs (one event each), in key order: Parquet, and
 * every other one gzipped NDJSON as objects from before Parquet are.
 */
async function writeDay(day: string, objects: string[][]): Promise<string[]> {
  const keys: string[] = [];
  for (const [i, installs] of objects.entries()) {
    const parquet = objectKey(APP, day, String(i).padStart(2, "0"), `d${i}`);
    const key = i % 2 === 0 ? parquet : parquet.replace(/\.parquet$/, ".ndjson.gz");
    await env.ARCHIVE.put(key, (await encodeEvents(key, installs.map(event))).body);
    keys.push(key);
  }
  return keys;
}

/** The installs of each object still there, in key order. */
async function installsOnDay(day: string): Promise<string[][]> {
  const listed = await env.ARCHIVE.list({ prefix: partitionPrefix(APP, day) });
  const objects: string[][] = [];
  for (const object of listed.objects) {
    const body = await env.ARCHIVE.get(object.key);
    if (body) objects.push((await eventsOf(object.key, APP, body)).map((e) => e.distinct_id));
  }
  return objects;
}

async function forgetOn(day: string, distinctId: string) {
  await scheduleScrubs(env.DB, [{ app: APP, day, distinctId }], Date.now()).run();
}

const pending = async () =>
  (await env.DB.prepare("SELECT COUNT(*) AS n FROM archive_scrubs").first<{ n: number }>())?.n ?? 0;

describe("the archive rewrite", () => {
  it("reads at most its budget a run, goes on where it stopped, reads each object once, and removes exactly the forgotten", async () => {
    const [x, y, z] = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.array(fc.constantFrom(x, y, z), { minLength: 1, maxLength: 4 }), { minLength: 1, maxLength: 9 }),
        fc.integer({ min: 1, max: 4 }),
        async (objects, budget) => {
          const day = freshDay();
          await writeDay(day, objects);
          await forgetOn(day, x);
          const meter = r2Meter();
          const bucket = meteredR2(env.ARCHIVE, meter);
          let runs = 0;
          while ((await pending()) > 0 && runs < 20) {
            const run = await scrubArchive(env.DB, bucket, budget);
            expect(run.objectsRead).toBeLessThanOrEqual(budget);
            runs++;
          }
          expect(await pending()).toBe(0);
          expect(meter.gets).toBe(objects.length);
          expect(runs).toBe(Math.ceil(objects.length / budget));
          const kept = objects.map((installs) => installs.filter((id) => id !== x)).filter((left) => left.length > 0);
          expect(await installsOnDay(day)).toEqual(kept);
        },
      ),
      { seed: 6, numRuns: 20 },
    );
  });

  it("takes an install forgotten while a day is half done from the start of that day", async () => {
    const [x, y, other] = [crypto.randomUUID(), crypto.randomUUID(), crypto.randomUUID()];
    const day = freshDay();
    await writeDay(day, [[x, y, other], [x, y], [other], [y, other], [x, other]]);
    await forgetOn(day, x);
    const first = await scrubArchive(env.DB, env.ARCHIVE, 2);
    expect(first).toMatchObject({ objectsRead: 2, paused: true, days: 0 });
    await forgetOn(day, y);
    let runs = 0;
    while ((await pending()) > 0 && runs++ < 10) await scrubArchive(env.DB, env.ARCHIVE, 2);
    expect(await installsOnDay(day)).toEqual([[other], [other], [other], [other]]);
  });
});
