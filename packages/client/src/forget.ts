import { backoffDelay, type PostOptions, post, type RetryPolicy } from "./http.js";
import { unref } from "./outbox.js";
import { type KeyValueStorage, readJson, writeJson } from "./storage.js";
import type { ForgetResult } from "./types.js";
import { isRandomUuid } from "./uuid.js";

/**
 * "Forget me": `POST /v1/forget` for install ids the user asked the collector to delete. An id
 * is written down before it is sent and crossed out once the collector answered, so a request
 * that cannot get through now is sent again at the next start.
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
}

export function pendingForgets({ storage, key }: Forgetting): string[] {
  const list = readJson(storage, key);
  return Array.isArray(list) ? list.filter(isRandomUuid) : [];
}

export function addPendingForget(forgetting: Forgetting, id: string): void {
  writeJson(forgetting.storage, forgetting.key, [...pendingForgets(forgetting), id]);
}

/** Sends every pending request (this one, and any an earlier run could not deliver). */
export async function sendForgets(forgetting: Forgetting): Promise<ForgetResult> {
  const { host, app, request, retry, attempts } = forgetting;
  const total: ForgetResult = { events: 0, installDays: 0 };
  for (const id of pendingForgets(forgetting)) {
    for (let failures = 0; ; ) {
      const outcome = await post(`${host}/v1/forget`, JSON.stringify({ app, distinct_id: id }), request);
      if (outcome.kind === "retry") {
        // A user is waiting on this: a long Retry-After is better spent at the next start.
        if (++failures >= attempts || (outcome.retryAfterMs ?? 0) > 60_000) {
          throw {
            error: "forget_pending",
            message: "the collector could not be reached; the request is kept and sent again at the next start",
          };
        }
        const delay = backoffDelay(failures, retry, outcome.retryAfterMs);
        await new Promise((resolve) => unref(setTimeout(resolve, delay)));
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
      if (outcome.kind === "refused") throw outcome.refusal;
      break;
    }
  }
  return total;
}
