import { BOT_COUNTERS, MAX_WINDOW_MS, type ResourceKind, USER_COUNTERS } from "./shared/usage-vocabulary.js";
import { randomUuid } from "./uuid.js";

/**
 * The usage reporter's aggregation: activity counted per user (and per bot instance) in
 * UTC-aligned 15-minute windows, resources present per UTC hour, then each closed window
 * turned into `POST /v1/usage` reports, split to stay far below the collector's caps. Only
 * digests are held here: names are anonymized before they are counted.
 */

export type UserKind = "human" | "bot" | "unspecified";

/**
 * Windows are as long as the collector accepts for each kind, as Teleport's reporter closes
 * them: user and bot-instance activity per 15 minutes, resource presence per hour.
 */
const WINDOW_MS = MAX_WINDOW_MS;
/** A report stays well below the collector's 600 000 characters and 2 000 records per report. */
const MAX_REPORT_CHARS = 250_000;
const MAX_RECORDS = 2_000;
const MAX_IDS_PER_GROUP = 10_000;

type Counters = Partial<Record<string, number>>;

/** Open windows by kind, then by window start (ms, as a string key), then by digest. */
export interface Windows {
  user_activity: Record<string, Record<string, { user_kind: UserKind; counters: Counters }>>;
  /** Resource digests as keys (a set that survives JSON). */
  resource_presence: Record<string, Record<string, Record<string, 1>>>;
  bot_instance_activity: Record<string, Record<string, { bot_user_name: string; counters: Counters }>>;
}

export const emptyWindows = (): Windows => ({ user_activity: {}, resource_presence: {}, bot_instance_activity: {} });

/** The start of the window of `kind` that holds `at`. */
export function windowStart(kind: keyof Windows, at: number): string {
  return String(at - (at % WINDOW_MS[kind]));
}

/** Counts a user's activity (by digest) in the window holding `at`. */
export function countUser(windows: Windows, at: number, user: string, kind: UserKind, counters: Counters): void {
  const window = slot(windows.user_activity, windowStart("user_activity", at), () => ({}));
  const entry = slot(window, user, () => ({ user_kind: kind, counters: {} }));
  if (kind !== "unspecified") entry.user_kind = kind;
  addCounters(entry.counters, counters, USER_COUNTERS);
}

/** Records a resource (by digest) as present in the hour holding `at`. */
export function countResource(windows: Windows, at: number, kind: ResourceKind, resource: string): void {
  const window = slot(windows.resource_presence, windowStart("resource_presence", at), () => ({}));
  slot<Record<string, 1>>(window, kind, () => ({}))[resource] = 1;
}

/** Counts a bot instance's activity (by digests) in the window holding `at`. */
export function countBot(windows: Windows, at: number, instance: string, bot: string, counters: Counters): void {
  const window = slot(windows.bot_instance_activity, windowStart("bot_instance_activity", at), () => ({}));
  addCounters(slot(window, instance, () => ({ bot_user_name: bot, counters: {} })).counters, counters, BOT_COUNTERS);
}

/** Adds positive integer counters; anything else is ignored. */
function addCounters(into: Counters, counters: Counters, names: readonly string[]): void {
  for (const name of names) {
    const n = counters[name];
    if (typeof n === "number" && Number.isInteger(n) && n > 0) into[name] = (into[name] ?? 0) + n;
  }
}

/** The value under `key`, made the first time. */
function slot<T>(map: Record<string, T>, key: string, make: () => T): T {
  const found = map[key];
  if (found !== undefined) return found;
  const made = make();
  map[key] = made;
  return made;
}

export interface ReportHeader {
  cluster_name: string;
  reporter_hostid: string;
}

/** A usage report as `POST /v1/usage` takes it. */
export type UsageReport = ReportHeader & {
  kind: keyof Windows;
  report_uuid: string;
  start_time: string;
  end_time?: string;
  records?: Record<string, unknown>[];
  resources?: { kind: string; ids: string[] }[];
};

/**
 * Removes the windows that have ended by `now` (every window when `all`; one still open is
 * then reported with `end_time: now`) and returns them as reports, each with a new report_uuid.
 */
export function closeWindows(windows: Windows, header: ReportHeader, now: number, all: boolean): UsageReport[] {
  const reports: UsageReport[] = [];
  for (const kind of Object.keys(windows) as (keyof Windows)[]) {
    for (const [start, content] of Object.entries(windows[kind])) {
      const startMs = Number(start);
      const ended = startMs + WINDOW_MS[kind] <= now;
      if (!ended && !all) continue;
      delete windows[kind][start];
      const base = () => ({
        ...header,
        kind,
        report_uuid: randomUuid(),
        start_time: new Date(startMs).toISOString(),
        ...(ended ? {} : { end_time: new Date(Math.max(now, startMs + 1000)).toISOString() }),
      });
      if (kind === "resource_presence") {
        for (const resources of splitResources(content as Windows["resource_presence"][string])) {
          reports.push({ ...base(), resources });
        }
      } else {
        const records = Object.entries(content as Windows["user_activity" | "bot_instance_activity"][string]).map(
          ([digest, { counters, ...rest }]) =>
            kind === "user_activity"
              ? { user_name: digest, ...rest, ...counters }
              : { bot_instance_id: digest, ...rest, ...counters },
        );
        for (const chunk of chunks(records, (r) => JSON.stringify(r).length, MAX_RECORDS)) {
          reports.push({ ...base(), records: chunk });
        }
      }
    }
  }
  return reports;
}

function splitResources(byKind: Record<string, Record<string, 1>>): { kind: string; ids: string[] }[][] {
  const reports: { kind: string; ids: string[] }[][] = [];
  let current: { kind: string; ids: string[] }[] = [];
  let chars = 0;
  for (const [kind, ids] of Object.entries(byKind)) {
    for (const part of chunks(Object.keys(ids), (id) => id.length + 3, MAX_IDS_PER_GROUP)) {
      const size = part.length * 47 + kind.length + 20;
      if (current.length > 0 && (chars + size > MAX_REPORT_CHARS || current.length >= 32)) {
        reports.push(current);
        current = [];
        chars = 0;
      }
      current.push({ kind, ids: part });
      chars += size;
    }
  }
  if (current.length > 0) reports.push(current);
  return reports;
}

/** Splits a list so each part has at most `max` items and about MAX_REPORT_CHARS of JSON. */
function chunks<T>(items: readonly T[], sizeOf: (item: T) => number, max: number): T[][] {
  const parts: T[][] = [];
  let part: T[] = [];
  let chars = 0;
  for (const item of items) {
    const size = sizeOf(item) + 1;
    if (part.length > 0 && (part.length >= max || chars + size > MAX_REPORT_CHARS)) {
      parts.push(part);
      part = [];
      chars = 0;
    }
    part.push(item);
    chars += size;
  }
  if (part.length > 0) parts.push(part);
  return parts;
}
