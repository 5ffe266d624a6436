import type { EventDatabases } from "../lib/event-databases";
import { forgottenAmong } from "../lib/forgotten";
import {
  ARCHIVE_KEY,
  ARCHIVE_ROOT,
  type ArchivedEvent,
  appOfPrefix,
  eventsOf,
  listPages,
  partitionPrefix,
} from "./objects";

/**
 * Reading the archive back (Parquet objects, and gzipped NDJSON ones from before): the objects of a day, and their events with every forgotten
 * install left out (the tombstones of POST /v1/forget, looked up for the ids each object holds)
 * and repeated uuids dropped within an hour (a client's resend is archived again).
 */

export interface ArchiveObject {
  key: string;
  app: string;
  day: string;
  hour: string;
  bytes: number;
  /** Events in the object when it was written (rewriting it for a forget updates it). */
  events: number;
  uploaded: string;
}

/** The apps that have objects in the archive. */
export async function archivedApps(bucket: R2Bucket): Promise<string[]> {
  const apps: string[] = [];
  for await (const page of listPages(bucket, { prefix: ARCHIVE_ROOT, delimiter: "/" })) {
    for (const prefix of page.delimitedPrefixes) {
      const app = appOfPrefix(prefix);
      if (app !== undefined) apps.push(app);
    }
  }
  return apps;
}

/** The oldest arrival day any app has an object of, or undefined when the archive is empty. */
export async function oldestArchivedDay(bucket: R2Bucket): Promise<string | undefined> {
  let oldest: string | undefined;
  for (const app of await archivedApps(bucket)) {
    // Keys sort by day within an app: the first one listed is of its oldest day.
    const [first] = (await bucket.list({ prefix: partitionPrefix(app), limit: 1 })).objects;
    const day = first ? ARCHIVE_KEY.exec(first.key)?.[2] : undefined;
    if (day !== undefined && (oldest === undefined || day < oldest)) oldest = day;
  }
  return oldest;
}

/** The objects of one app-day (or of every app's day), in key order. */
export async function listDay(bucket: R2Bucket, day: string, app?: string): Promise<ArchiveObject[]> {
  const objects: ArchiveObject[] = [];
  for (const name of app === undefined ? await archivedApps(bucket) : [app]) {
    // `include` is in the runtime since 2022-08-04; the project's base types predate it.
    const options = { prefix: partitionPrefix(name, day), include: ["customMetadata"] } as R2ListOptions;
    for await (const page of listPages(bucket, options)) {
      for (const object of page.objects) {
        const match = ARCHIVE_KEY.exec(object.key);
        if (!match) continue;
        objects.push({
          key: object.key,
          app: decodeURIComponent(match[1] as string),
          day: match[2] as string,
          hour: match[3] as string,
          bytes: object.size,
          events: Number(object.customMetadata?.events ?? 0),
          uploaded: object.uploaded.toISOString(),
        });
      }
    }
  }
  return objects.sort((a, b) => a.key.localeCompare(b.key));
}

/** The events of one object (Parquet, or gzipped NDJSON from before), or undefined when it is gone. */
export async function readEvents(bucket: R2Bucket, object: ArchiveObject): Promise<ArchivedEvent[] | undefined> {
  const body = await bucket.get(object.key);
  return body ? eventsOf(object.key, object.app, body) : undefined;
}

/**
 * The events of the given objects as NDJSON text, one chunk per object, without forgotten
 * installs and without a uuid already given in the same hour.
 */
export async function* exportLines(
  bucket: R2Bucket,
  databases: EventDatabases,
  objects: readonly ArchiveObject[],
): AsyncGenerator<string> {
  let hour = "";
  let seen = new Set<string>();
  for (const object of objects) {
    const partition = `${object.app}/${object.day}/${object.hour}`;
    if (partition !== hour) {
      hour = partition;
      seen = new Set();
    }
    const events = await withoutForgotten(bucket, databases, object);
    const kept: string[] = [];
    for (const event of events ?? []) {
      if (seen.has(event.uuid)) continue;
      seen.add(event.uuid);
      kept.push(JSON.stringify(event));
    }
    if (kept.length > 0) yield `${kept.join("\n")}\n`;
  }
}

/** The events of one object without those of forgotten installs, or undefined when it is gone. */
export async function withoutForgotten(
  bucket: R2Bucket,
  databases: EventDatabases,
  object: ArchiveObject,
): Promise<ArchivedEvent[] | undefined> {
  const events = await readEvents(bucket, object);
  if (!events) return undefined;
  const forgotten = await forgottenAmong(
    databases,
    events.map((event) => event.distinct_id),
  );
  return forgotten.size === 0 ? events : events.filter((event) => !forgotten.has(event.distinct_id));
}

/** The listing entry of one object, if `key` names an object of the archive that exists. */
export async function archiveObject(bucket: R2Bucket, key: string): Promise<ArchiveObject | undefined> {
  const match = ARCHIVE_KEY.exec(key);
  if (!match) return undefined;
  const head = await bucket.head(key);
  if (!head) return undefined;
  return {
    key,
    app: decodeURIComponent(match[1] as string),
    day: match[2] as string,
    hour: match[3] as string,
    bytes: head.size,
    events: Number(head.customMetadata?.events ?? 0),
    uploaded: head.uploaded.toISOString(),
  };
}
