import { sleep, unref } from "./deadline.js";
import { backoffDelay, type ItemRefusal, type PostOptions, post, type RetryPolicy } from "./http.js";
import { type KeyValueStorage, readJson, writeJson } from "./storage.js";
import type { ForgetResult } from "./types.js";
import { isRandomUuid } from "./uuid.js";

/**
 * "Forget me": `POST /v1/forget` for install ids the user asked the collector to delete. An id
 * is written down before it is sent and crossed out once the collector answered, so a request
 * that cannot get through by the deadline is sent again at the next start. Nothing is thrown:
 * failures go to `report`, and the result counts the requests still written down.
 */

export interface Forgetting {
  host: string;
  app: string;
  request: Omit<PostOptions, "signal" | "keepalive">;
  retry: RetryPolicy;
  attempts: number;
  storage: KeyValueStorage;
  /** The storage key of the pending ids. */
  key: string;
  report(refusal: ItemRefusal): void;
}

export function pendingForgets({ storage, key }: Forgetting): string[] {
  const list = readJson(storage, key);
  return Array.isArray(list) ? list.filter(isRandomUuid) : [];
}

export function addPendingForget(forgetting: Forgetting, id: string): void {
  writeJson(forgetting.storage, forgetting.key, [...pendingForgets(forgetting), id]);
}

/**
 * Sends every pending request (this one, and any an earlier run could not deliver) until
 * `deadline`. `waiting`: a caller awaits the result, so the waits keep the process alive; a
 * background retry at start never does.
 */
export async function sendForgets(forgetting: Forgetting, deadline: number, waiting = false): Promise<ForgetResult> {
  const { host, app, request, retry, attempts } = forgetting;
  const total: ForgetResult = { events: 0, installDays: 0, pending: 0 };
  requests: for (const id of pendingForgets(forgetting)) {
    for (let failures = 0; ; ) {
      const timeoutMs = Math.min(request.timeoutMs, deadline - Date.now());
      if (timeoutMs <= 0) break requests;
      const outcome = await post(`${host}/v1/forget`, JSON.stringify({ app, distinct_id: id }), {
        ...request,
        timeoutMs,
      });
      if (outcome.kind === "retry") {
        forgetting.report(outcome.refusal);
        const delay = backoffDelay(++failures, retry, outcome.retryAfterMs);
        // A user is waiting on this: a wait past the deadline is better spent at the next start.
        if (failures >= attempts || Date.now() + delay >= deadline) break requests;
        await (waiting ? sleep(delay) : new Promise((resolve) => unref(setTimeout(resolve, delay))));
        continue;
      }
      if (outcome.kind === "settled") {
        const answer = outcome.answer as { deleted?: { events?: number; install_days?: number }; complete?: boolean };
        total.events += answer?.deleted?.events ?? 0;
        total.installDays += answer?.deleted?.install_days ?? 0;
        if (answer?.complete === false) continue; // more raw events than one request deletes
      }
      writeJson(
        forgetting.storage,
        forgetting.key,
        pendingForgets(forgetting).filter((pending) => pending !== id),
      );
      if (outcome.kind === "refused") forgetting.report(outcome.refusal);
      break;
    }
  }
  total.pending = pendingForgets(forgetting).length;
  if (total.pending > 0) {
    forgetting.report({
      error: "forget_pending",
      message: "the collector could not be reached in time; the request is kept and sent again at the next start",
    });
  }
  return total;
}
