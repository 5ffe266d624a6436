import { featuresOf } from "../catalog/feature-bits";
import type { StoredEvent } from "../ingest/queue-message";

/**
 * The rows insights add to a delivery, built in code beside the plan's (plan.ts) so that D1
 * writes them per install-day and per group, never per event:
 * - each install-day row's `features`: the OR of the bits (catalog/feature-bits.ts) of the
 *   install's events of that day, carried as two 31-bit halves (JavaScript's bit operators are
 *   32-bit) and joined in SQL;
 * - `daily_property_counts`: one row per app, day, event, OS and value of a tracked property
 *   (not per version: that would multiply a delivery's rows by its versions), counted in code
 *   for the "all new" way; each event lists its property groups (event-rows.ts) so that the
 *   "checked" way counts only the events its transaction finds new.
 */

/** What a shard of a delivery adds for insights. */
export interface InsightShard {
  /** `[app, day, event, os, property, value]`: names the catalogue declares (and the OS enum). */
  propertyGroups: unknown[][];
  /** Events per property group, if every event is new. */
  propertyCounts: number[];
}

export function newInsightShard(): InsightShard {
  return { propertyGroups: [], propertyCounts: [] };
}

/** The features of one event: its bits as two halves. */
export interface EventFeatures {
  lo: number;
  hi: number;
}

const HALF = 31;

/** Builds a delivery's insight rows, per shard; one instance per delivery. */
export class InsightRows {
  private readonly groupIndex: Map<number, number>[];
  /** Per shard, the (app, day, event, OS) of each count group (which adds the version), numbered. */
  private readonly baseOfGroup: Map<number, number>[];
  private readonly baseIndex: Map<string, number>[];
  private readonly bases: string[][][];

  constructor(
    private readonly shards: readonly InsightShard[],
    shardCount: number,
  ) {
    this.groupIndex = Array.from({ length: shardCount }, () => new Map<number, number>());
    this.baseOfGroup = Array.from({ length: shardCount }, () => new Map<number, number>());
    this.baseIndex = Array.from({ length: shardCount }, () => new Map<string, number>());
    this.bases = Array.from({ length: shardCount }, () => []);
  }

  /** What the last `add` said its event's install-day gains (one object, reused: no allocation per event). */
  private readonly gained: EventFeatures = { lo: 0, hi: 0 };

  /**
   * Adds an event of day `day` and count group `group` in shard `s`, pushes its property groups
   * onto `groupsOut` (its event row's, event-rows.ts), and says what its install-day gains:
   * the answer is valid until the next call.
   */
  add(s: number, app: string, day: string, group: number, event: StoredEvent, groupsOut: number[]): EventFeatures {
    const gained = this.gained;
    gained.lo = 0;
    gained.hi = 0;
    const features = featuresOf(app)?.events.get(event.event);
    if (!features) return gained;
    let lo = 0;
    let hi = 0;
    if (features.bit < HALF) lo = 1 << features.bit;
    else hi = 1 << (features.bit - HALF);
    let base = -1;
    // A plain loop (this runs for every event of every delivery): each tracked property the event carries.
    for (const [property, bits] of features.properties) {
      const value = event.properties[property];
      if (value === undefined || value === null) continue;
      const bit = bits.get(typeof value === "string" ? value : String(value));
      if (bit === undefined) continue;
      if (bit < HALF) lo |= 1 << bit;
      else hi |= 1 << (bit - HALF);
      if (base < 0) base = this.baseOf(s, group, app, day, event);
      groupsOut.push(this.propertyGroup(s, base, bit, property, value));
    }
    gained.lo = lo;
    gained.hi = hi >>> 0;
    return gained;
  }

  /** The (app, day, event, OS) of a count group, looked up once per group. */
  private baseOf(s: number, group: number, app: string, day: string, event: StoredEvent): number {
    const known = this.baseOfGroup[s]?.get(group);
    if (known !== undefined) return known;
    const key = `${app}\u0000${day}\u0000${event.event}\u0000${event.os}`;
    let base = this.baseIndex[s]?.get(key);
    if (base === undefined) {
      base = (this.bases[s] as string[][]).length;
      this.baseIndex[s]?.set(key, base);
      (this.bases[s] as string[][]).push([app, day, event.event, event.os]);
    }
    this.baseOfGroup[s]?.set(group, base);
    return base;
  }

  private propertyGroup(s: number, base: number, bit: number, property: string, value: unknown): number {
    const shard = this.shards[s] as InsightShard;
    const index = this.groupIndex[s] as Map<number, number>;
    const key = base * 64 + bit;
    let i = index.get(key);
    if (i === undefined) {
      i = shard.propertyGroups.length;
      index.set(key, i);
      shard.propertyGroups.push([...((this.bases[s] as string[][])[base] as string[]), property, String(value)]);
      shard.propertyCounts.push(0);
    }
    shard.propertyCounts[i] = (shard.propertyCounts[i] ?? 0) + 1;
    return i;
  }
}

/** An install-day row's features in SQL, from its two halves at items `lo` and `lo + 1` of `x`. */
export const featuresOfRow = (lo: number) => `((x.value->>${lo + 1}) << ${HALF}) | (x.value->>${lo})`;
