import { createAnonymizer } from "./anonymize.js";
import { deadlineIn, FLUSH_TIMEOUT_MS, SHUTDOWN_TIMEOUT_MS, settledBy, unref } from "./deadline.js";
import type { FetchLike, ItemRefusal, RetryPolicy } from "./http.js";
import { Outbox } from "./outbox.js";
import type { BotCounter, ResourceKind, UserCounter } from "./shared/usage-vocabulary.js";
import { type KeyValueStorage, memoryStorage, readJson, writeJson } from "./storage.js";
import type { BoundOptions, FlushResult } from "./types.js";
import {
  closeWindows,
  countBot,
  countResource,
  countUser,
  emptyWindows,
  type ReportHeader,
  type UsageReport,
  type UserKind,
  type Windows,
} from "./usage-windows.js";
import { isRandomUuid } from "./uuid.js";

/**
 * `createUsageReporter`: the cluster side. A server counts what its users, resources and bot
 * instances do; the reporter anonymizes every name with the cluster key, aggregates, and sends
 * each closed window as a `POST /v1/usage` report with the tenant token. Reports are persisted
 * until the collector acknowledges them, under a report_uuid fixed when they are made, so a
 * resend is recognised. Billing is the licence's business, not the user's: there is no consent
 * gate here (see the README on when collection may be mandatory).
 */

export interface UsageReporterOptions {
  host: string;
  /** The tenant token (`ehk_…`). */
  token: string;
  /** The key every name and id is digested with; it never leaves the process. */
  clusterKey: string;
  /** This cluster's name and this server's host id, sent as digests. */
  clusterName: string;
  hostId: string;
  /** Where open windows and unacknowledged reports persist (default: memory). */
  storage?: KeyValueStorage;
  fetch?: FetchLike;
  /** How often closed windows are sent (default 60 000 ms). */
  flushIntervalMs?: number;
  /** Reports kept at most while the collector cannot be reached; the oldest are dropped beyond it (default 10 000). */
  maxPendingReports?: number;
  retry?: Partial<RetryPolicy> & { attempts?: number };
  timeoutMs?: number;
  onError?: (error: Pick<ItemRefusal, "error" | "message">) => void;
}

export interface UsageReporter {
  /** Counts activity of a user (plain name) in the current 15-minute window. */
  userActivity(userName: string, counters: Partial<Record<UserCounter, number>>, userKind?: UserKind): void;
  /** Records that a resource (plain name or host id) of `kind` is present this hour. */
  resourceHeartbeat(kind: ResourceKind, id: string): void;
  /** Counts activity of a bot instance in the current 15-minute window. */
  botInstanceActivity(botInstanceId: string, botUserName: string, counters: Partial<Record<BotCounter, number>>): void;
  /**
   * Sends the reports of every window that has ended; resolves once they are acknowledged, the
   * attempts are spent, or `timeoutMs` (default 10 000) has passed. Never rejects.
   */
  flush(options?: BoundOptions): Promise<FlushResult>;
  /** Closes the open windows too (reported with `end_time` now), sends within `timeoutMs` (default 5 000), and stops. */
  shutdown(options?: BoundOptions): Promise<FlushResult>;
}

const STATE_KEY = "edgehog.usage";
const SAVE_DELAY_MS = 5_000;

export function createUsageReporter(options: UsageReporterOptions): UsageReporter {
  if (options.clusterKey.trim() === "") throw new Error("edgehog: clusterKey must not be empty");
  const storage = options.storage ?? memoryStorage();
  const anonymizer = createAnonymizer(options.clusterKey);
  const digests = new Map<string, Promise<string>>();
  /** Digests are memoized (a few thousand names at most): the same users come back all day. */
  const digest = (value: string) => {
    let found = digests.get(value);
    if (!found) {
      if (digests.size >= 10_000) digests.clear();
      found = anonymizer.anonymize(value);
      digests.set(value, found);
    }
    return found;
  };
  const header: Promise<ReportHeader> = Promise.all([digest(options.clusterName), digest(options.hostId)]).then(
    ([cluster_name, reporter_hostid]) => ({ cluster_name, reporter_hostid }),
  );
  header.catch(() => {});
  const attempts = options.retry?.attempts ?? 5;
  const report = (error: Pick<ItemRefusal, "error" | "message">) => options.onError?.(error);

  const saved = readJson(storage, STATE_KEY) as { windows?: Windows; reports?: UsageReport[] } | undefined;
  const windows: Windows = { ...emptyWindows(), ...saved?.windows };
  const outbox = new Outbox<UsageReport>({
    url: `${options.host.replace(/\/+$/, "")}/v1/usage`,
    request: {
      fetch: options.fetch ?? ((input, init) => fetch(input, init)),
      timeoutMs: options.timeoutMs ?? 30_000,
      headers: { "content-type": "application/json", authorization: `Bearer ${options.token}` },
    },
    body: (reports) => JSON.stringify({ reports }),
    idOf: (r) => r.report_uuid,
    maxItems: 10,
    maxBytes: 900_000,
    maxQueue: options.maxPendingReports ?? 10_000,
    retry: { baseMs: 1000, maxMs: 300_000, ...options.retry },
    save: (reports) => writeJson(storage, STATE_KEY, { windows, reports }),
    onError: report,
  });
  if (Array.isArray(saved?.reports)) outbox.restore(saved.reports.filter((r) => isRandomUuid(r?.report_uuid)));

  let work: Promise<void> = Promise.resolve();
  let closed = false;
  let saveTimer: ReturnType<typeof setTimeout> | undefined;
  /**
   * Open windows are saved a few seconds after they change, not at every heartbeat (a crash
   * costs at most those seconds of an open window); closed reports are saved at once.
   */
  const saveSoon = () => {
    saveTimer ??= unref(
      setTimeout(() => {
        saveTimer = undefined;
        outbox.saveNow();
      }, SAVE_DELAY_MS),
    );
  };
  /** Runs `count` once the names are digested, in call order. */
  const record = (names: string[], count: (digests: string[], at: number) => void) => {
    if (closed) return;
    const at = Date.now();
    const digested = Promise.all(names.map(digest));
    digested.catch(() => {});
    work = work
      .then(() => digested)
      .then(
        (values) => {
          count(values, at);
          saveSoon();
        },
        (err) => report({ error: "anonymize_failed", message: String(err) }),
      );
  };

  const close = async (all: boolean) => {
    await work;
    const reports = closeWindows(windows, await header, Date.now(), all);
    for (const r of reports) outbox.add(r);
    outbox.saveNow();
  };
  let timer: ReturnType<typeof setTimeout> | undefined;
  const tick = () => {
    timer = unref(
      setTimeout(async () => {
        try {
          await close(false);
          while (outbox.size > 0 && (await outbox.pump())) {}
        } catch (err) {
          report({ error: "report_failed", message: String(err) });
        }
        if (!closed) tick();
      }, options.flushIntervalMs ?? 60_000),
    );
  };
  tick();

  /** Closes the ended windows (or all) and sends, by `deadline`; never rejects. */
  const flush = async (all: boolean, deadline: number): Promise<FlushResult> => {
    const closing = close(all).catch((err: unknown) => report({ error: "report_failed", message: String(err) }));
    await settledBy(closing, deadline);
    await outbox.drain(attempts, deadline);
    return { ...outbox.takeTally(), pending: outbox.size };
  };

  return {
    userActivity(userName, counters, userKind = "unspecified") {
      record([userName], ([user = ""], at) => countUser(windows, at, user, userKind, counters));
    },
    resourceHeartbeat(kind, id) {
      record([id], ([resource = ""], at) => countResource(windows, at, kind, resource));
    },
    botInstanceActivity(botInstanceId, botUserName, counters) {
      record([botInstanceId, botUserName], ([instance = "", bot = ""], at) =>
        countBot(windows, at, instance, bot, counters),
      );
    },
    flush: (flushOptions) => flush(false, deadlineIn(flushOptions?.timeoutMs, FLUSH_TIMEOUT_MS)),
    async shutdown(shutdownOptions) {
      const result = await flush(true, deadlineIn(shutdownOptions?.timeoutMs, SHUTDOWN_TIMEOUT_MS));
      closed = true;
      clearTimeout(timer);
      clearTimeout(saveTimer);
      outbox.stop();
      outbox.saveNow();
      return result;
    },
  };
}
