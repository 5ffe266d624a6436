import { closeSync, existsSync, openSync, readFileSync, renameSync, rmSync, statSync } from "node:fs";
import type { WireEvent } from "../build-event.js";
import { createClient } from "../client.js";
import type { FetchLike } from "../http.js";
import { readJson, writeJson } from "../storage.js";
import { fileStorage } from "../storage-file.js";
import type { FlushResult } from "../types.js";
import { isRandomUuid } from "../uuid.js";
import type { CliFiles } from "./paths.js";

/**
 * The CLI mode's sender, run in a detached process of its own (cli/send.ts) so that no command
 * waits for the network: it takes the spool (renamed away at once, so the runs going on append
 * to a new one), adds its events to the saved queue, and sends them with `createClient` under
 * the stored answer, within a bound. What is not delivered stays in the saved queue for the
 * next send; a stored "no" drops it all. One sender at a time (a lock file); what runs spool
 * while it sends, it sends too.
 */

export interface SendJob {
  host: string;
  app: string;
  files: CliFiles;
  /** The whole send is bounded by this. */
  timeoutMs: number;
  token?: string;
}

/** A lock left by a sender that died is taken over after this long. */
const STALE_LOCK_MS = 10 * 60_000;
/** Longer than any run: the sender sends only at its shutdown. */
const NEVER_MS = 2_000_000_000;
/** Spools taken by one sender at most: runs cannot keep it going for ever. */
const MAX_ROUNDS = 5;

export async function sendSpool(job: SendJob, fetch?: FetchLike): Promise<FlushResult | undefined> {
  const deadline = Date.now() + job.timeoutMs;
  let result: FlushResult | undefined;
  // A run that spools while this sender holds the lock starts a sender that finds the lock
  // taken and leaves: so after each send, and after letting the lock go, whatever was spooled
  // meanwhile is sent by this one, while the bound allows.
  for (let round = 0; round < MAX_ROUNDS && Date.now() < deadline; round++) {
    if (round > 0 && !existsSync(job.files.spool)) break;
    if (!takeLock(job.files.lock)) break;
    try {
      result = await sendOnce(job, deadline, fetch);
    } finally {
      rmSync(job.files.lock, { force: true });
    }
    if (result.pending > 0) break; // the collector cannot be reached: the rest waits for the next send
  }
  return result;
}

async function sendOnce(job: SendJob, deadline: number, fetch?: FetchLike): Promise<FlushResult> {
  const storage = fileStorage(job.files.state);
  const queueKey = `edgehog.${job.app}.queue`;
  const saved = readJson(storage, queueKey);
  const spooled = takeSpool(job.files.spool);
  if (spooled.length > 0) writeJson(storage, queueKey, [...(Array.isArray(saved) ? saved : []), ...spooled]);
  const client = createClient({
    host: job.host,
    app: job.app as never,
    storage,
    flushAt: 1_000_000,
    flushIntervalMs: NEVER_MS,
    ...(job.token ? { token: job.token } : {}),
    ...(fetch ? { fetch } : {}),
  });
  return await client.shutdown({ timeoutMs: Math.max(0, deadline - Date.now()) });
}

/** The spooled events, the spool removed; a line that is not an event of ours is skipped. */
function takeSpool(spool: string): WireEvent[] {
  const taken = `${spool}.${process.pid}.sending`;
  let text: string;
  try {
    renameSync(spool, taken);
    text = readFileSync(taken, "utf8");
  } catch {
    return []; // nothing spooled
  }
  rmSync(taken, { force: true });
  return text.split("\n").flatMap((line) => {
    try {
      const event = JSON.parse(line) as Partial<WireEvent>;
      return isRandomUuid(event?.uuid) ? [event as WireEvent] : [];
    } catch {
      return [];
    }
  });
}

function takeLock(lock: string): boolean {
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      closeSync(openSync(lock, "wx", 0o600));
      return true;
    } catch {
      try {
        if (Date.now() - statSync(lock).mtimeMs < STALE_LOCK_MS) return false;
        rmSync(lock, { force: true });
      } catch {
        // the other sender just finished: try again
      }
    }
  }
  return false;
}
