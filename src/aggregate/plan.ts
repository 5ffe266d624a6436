import type { BatchMessage, StoredEvent } from "../ingest/queue-message";
import { OTHER } from "../lib/other";
import { DAY_MS } from "../lib/time";
import { CappedValues } from "./capped-values";
import { CountGroups } from "./count-groups";
import { dedupeTime, dedupeUuid } from "./dedupe-keys";
import { EventRows } from "./event-rows";
import { InsightRows, type InsightShard, newInsightShard } from "./insight-rows";
import { PackBuilder, type PackRow } from "./packs";
import { unknownEventName } from "./unknown-event-name";

/**
 * One delivery, prepared in code so that SQL does as little as possible: its events split by
 * event database (EVENT_DATABASES), uuids repeated within the delivery removed (NOT EXISTS
 * cannot see rows of its own statement), events reduced to a short row each (uuid, dedupe
 * time, count group, install), their uuids packed per install and day (packs.ts), the count
 * keys and each install's first values of a day listed once, and the per-request counters set
 * aside for the first database.
 *
 * What D1 writes comes from here, per install and per group, never per event: `installDays`
 * (one row per install and event day) and `groups` (one count row per app, day, event,
 * version and OS). Rows added for insights (an install-day's events, per-property-value daily
 * counts) belong beside them: keyed in code here, upserted once per delivery in statements.ts.
 */

export const DROPPED_NAMES_PER_APP_DAY = 50;

/** What one event database stores of a delivery; every list is JSON-ready. */
export interface ShardPlan {
  /** The events as the checked way binds them (event-rows.ts). */
  events: EventRows;
  /** The events' uuids packed per install and day of their dedupe time (one `event_packs` row each). */
  packs: PackRow[];
  /** `[app, day, event, app_version, os]`: the count keys of this delivery (version not yet capped). */
  groups: unknown[][];
  /** How many of the shard's events each group holds: its counts if every event is new. */
  groupCounts: number[];
  /** Distinct install ids of the events, in first-seen order. */
  installs: string[];
  /**
   * `[app, day, distinct_id, app_version, os, country, first received day, last received day,
   * features (bits 0–30), features (bits 31–62)]`: each install's first values of a day, the days
   * (UTC) its events of that day arrived on, and the features they used (insight-rows.ts).
   */
  installDays: unknown[][];
  /** Per-property-value counts (insight-rows.ts). */
  insights: InsightShard;
  /** `{ a, day, v }`: app versions this delivery may add to its app-days, at most the cap each. */
  versions: { a: string; day: string; v: string }[];
  /** Raw rows for the debugging window (RAW_EVENT_DEBUG_DAYS), when it is on. */
  rawEvents: string[];
}

/** Per-request counters: stored in the first database, gated on the message's batch id. */
export interface Counters {
  rejections: { b: string; a: string; day: string; k: string; n: number }[];
  dropped: { b: string; a: string; day: string; e: string; k: string; n: number }[];
  /** Events refused as unknown, by name (a catalogue name or "(other)", as the ingest core kept it). */
  unknownEvents: { b: string; a: string; day: string; e: string; n: number }[];
  /** Batch ids of the messages that carry counters (the only ones recorded). */
  batchIds: string[];
}

export interface DeliveryPlan {
  shards: ShardPlan[];
  counters: Counters;
  /** Every distinct event of the delivery with its message, for the archive. */
  events: { message: BatchMessage; event: StoredEvent }[];
}

export interface PlanOptions {
  shardCount: number;
  /** The event database of an install's events of a dedupe day (days since the epoch). */
  shardOf(distinctId: string, day: number): number;
  /** RAW_EVENT_RETENTION_DAYS in ms: how far back a dedupe time may lie. */
  windowMs: number;
  /** Whether raw rows are written to D1 too. */
  keepRaw: boolean;
}

const days = new Map<number, string>();
/** The UTC day of a time, cached by day number (toISOString is the slow part of the plan). */
export function dayOf(ms: number): string {
  const n = Math.floor(ms / DAY_MS);
  let day = days.get(n);
  if (day === undefined) {
    day = new Date(n * DAY_MS).toISOString().slice(0, 10);
    if (days.size > 10_000) days.clear();
    days.set(n, day);
  }
  return day;
}

function newShard(): ShardPlan {
  return {
    events: new EventRows(),
    packs: [],
    groups: [],
    groupCounts: [],
    installs: [],
    installDays: [],
    insights: newInsightShard(),
    versions: [],
    rawEvents: [],
  };
}

export function planDelivery(messages: readonly BatchMessage[], options: PlanOptions): DeliveryPlan {
  const shards = Array.from({ length: options.shardCount }, newShard);
  const packs = shards.map((shard) => {
    const builder = new PackBuilder();
    shard.packs = builder.rows;
    return builder;
  });
  const countGroups = new CountGroups(options.shardCount);
  const installIndex = Array.from({ length: options.shardCount }, () => new Map<string, number>());
  // Each install-day's row in `installDays`, by shard.
  const installDayRow = Array.from({ length: options.shardCount }, () => new Map<string, unknown[]>());
  // The day each install was last seen on, by shard and install index: most installs have one
  // day per delivery, so the map above is consulted only when an install's day changes, or when
  // the delivery's messages cross midnight (the arrival day changes).
  let lastDayOfInstall = Array.from({ length: options.shardCount }, (): string[] => []);
  // The install-day row of each install's last day, by shard and install index.
  let lastRowOfInstall = Array.from({ length: options.shardCount }, (): unknown[][] => []);
  const insights = new InsightRows(
    shards.map((shard) => shard.insights),
    options.shardCount,
  );
  let receivedDay = "";
  const seen = new Set<string>();
  const events: DeliveryPlan["events"] = [];
  const counters: Counters = { rejections: [], dropped: [], unknownEvents: [], batchIds: [] };
  const droppedNames = new CappedValues(DROPPED_NAMES_PER_APP_DAY);

  for (const message of messages) {
    const { app, country } = message;
    const arrival = dayOf(message.received_at);
    if (arrival !== receivedDay) {
      receivedDay = arrival;
      lastDayOfInstall = lastDayOfInstall.map(() => []);
      lastRowOfInstall = lastRowOfInstall.map(() => []);
    }
    // A message is one client's request: its events share an install, looked up once (again
    // only when the day of their dedupe time changes: a database may join from a day on).
    let lastInstallId: string | undefined;
    let lastAtDay = Number.NaN;
    let s = 0;
    let install = 0;
    for (const event of message.events) {
      const distinct = seen.size;
      seen.add(event.uuid);
      if (seen.size === distinct) continue; // seen earlier in the delivery
      events.push({ message, event });
      const at = dedupeTime(event, message.received_at, options.windowMs);
      const atDay = Math.floor(at / 86_400);
      if (event.distinct_id !== lastInstallId || atDay !== lastAtDay) {
        lastInstallId = event.distinct_id;
        lastAtDay = atDay;
        s = options.shardOf(event.distinct_id, atDay);
        const index = installIndex[s] as Map<string, number>;
        const known = index.get(event.distinct_id);
        if (known === undefined) {
          install = (shards[s] as ShardPlan).installs.length;
          index.set(event.distinct_id, install);
          (shards[s] as ShardPlan).installs.push(event.distinct_id);
        } else {
          install = known;
        }
      }
      const shard = shards[s] as ShardPlan;
      const day = dayOf(event.timestamp);
      const group = countGroups.count(s, shard, app, day, event);
      const lastDays = lastDayOfInstall[s] as string[];
      if (lastDays[install] !== day) {
        lastDays[install] = day;
        const installDay = `${app}\u0000${day}\u0000${event.distinct_id}`;
        const rows = installDayRow[s] as Map<string, unknown[]>;
        const row = rows.get(installDay);
        if (!row) {
          const added = [
            app,
            day,
            event.distinct_id,
            event.app_version,
            event.os,
            country ?? "",
            arrival,
            arrival,
            0,
            0,
          ];
          rows.set(installDay, added);
          shard.installDays.push(added);
          (lastRowOfInstall[s] as unknown[][])[install] = added;
        } else {
          (lastRowOfInstall[s] as unknown[][])[install] = row;
          if (arrival < (row[6] as string)) row[6] = arrival;
          else if (arrival > (row[7] as string)) row[7] = arrival;
        }
      }
      const gained = insights.add(s, app, day, group, event, shard.events.propertyGroups);
      const installRow = (lastRowOfInstall[s] as unknown[][])[install] as unknown[];
      installRow[8] = ((installRow[8] as number) | gained.lo) >>> 0;
      installRow[9] = ((installRow[9] as number) | gained.hi) >>> 0;
      const uuid = dedupeUuid(event.uuid);
      shard.events.add(uuid, at, group, install);
      packs[s]?.add(install, at, uuid);
      if (options.keepRaw) shard.rawEvents.push(rawRow(message, event, day));
    }

    if (Object.keys(message.rejections).length + Object.keys(message.dropped_properties).length === 0) continue;
    counters.batchIds.push(message.batch_id);
    for (const [name, n] of Object.entries(message.unknown_events ?? {})) {
      counters.unknownEvents.push({ b: message.batch_id, a: app, day: arrival, e: unknownEventName(name), n });
    }
    for (const [error, n] of Object.entries(message.rejections)) {
      counters.rejections.push({ b: message.batch_id, a: app, day: arrival, k: error, n });
    }
    for (const [event, names] of Object.entries(message.dropped_properties)) {
      for (const [property, n] of Object.entries(names)) {
        const k = droppedNames.add(app, arrival, property) ? property : OTHER;
        counters.dropped.push({ b: message.batch_id, a: app, day: arrival, e: event, k, n });
      }
    }
  }
  return { shards, counters, events };
}

function rawRow(message: BatchMessage, event: StoredEvent, day: string): string {
  return JSON.stringify({
    u: event.uuid,
    a: message.app,
    e: event.event,
    d: event.distinct_id,
    t: event.timestamp,
    r: message.received_at,
    day,
    v: event.app_version,
    o: event.os,
    c: message.country,
    tn: message.tenant_id,
    p: JSON.stringify(event.properties),
  });
}
