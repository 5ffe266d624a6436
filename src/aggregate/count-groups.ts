import type { StoredEvent } from "../ingest/queue-message";
import { CappedValues } from "./capped-values";

/**
 * A delivery's count groups (one `daily_event_counts` row each: app, day, event, version, OS),
 * numbered per event database as the plan meets them (plan.ts). Looked up per event, so without
 * a key made per event: groups are kept by (database, app, day, version, OS), then event name,
 * and the outer key is made only when those change (a message is one install's, with one
 * version and OS throughout).
 */

/** Client-chosen strings that become aggregate keys are capped per app and day (statements.ts). */
export const VERSIONS_PER_APP_DAY = 100;

/** Where a shard's count groups go: the plan's lists (ShardPlan). */
export interface GroupLists {
  /** `[app, day, event, app_version, os]`. */
  groups: unknown[][];
  /** How many of the shard's events each group holds. */
  groupCounts: number[];
  /** `{ a, day, v }`: app versions this delivery may add to its app-days, at most the cap each. */
  versions: { a: string; day: string; v: string }[];
}

export class CountGroups {
  private readonly byDimensions = new Map<string, Map<string, number>>();
  private readonly versions: CappedValues[];
  private last:
    | { s: number; app: string; day: string; version: string; os: string; groups: Map<string, number> }
    | undefined;

  constructor(shardCount: number) {
    this.versions = Array.from({ length: shardCount }, () => new CappedValues(VERSIONS_PER_APP_DAY));
  }

  /** Counts an event of day `day` in shard `s` (lists `shard`), and says its group's index there. */
  count(s: number, shard: GroupLists, app: string, day: string, event: StoredEvent): number {
    let last = this.last;
    if (
      last?.s !== s ||
      last.app !== app ||
      last.day !== day ||
      last.version !== event.app_version ||
      last.os !== event.os
    ) {
      const key = `${s}\u0000${app}\u0000${day}\u0000${event.app_version}\u0000${event.os}`;
      let groups = this.byDimensions.get(key);
      if (!groups) {
        groups = new Map<string, number>();
        this.byDimensions.set(key, groups);
      }
      last = { s, app, day, version: event.app_version, os: event.os, groups };
      this.last = last;
    }
    let group = last.groups.get(event.event);
    if (group === undefined) {
      group = shard.groups.length;
      last.groups.set(event.event, group);
      shard.groups.push([app, day, event.event, event.app_version, event.os]);
      shard.groupCounts.push(0);
      if (this.versions[s]?.addNew(app, day, event.app_version))
        shard.versions.push({ a: app, day, v: event.app_version });
    }
    shard.groupCounts[group] = (shard.groupCounts[group] ?? 0) + 1;
    return group;
  }
}
