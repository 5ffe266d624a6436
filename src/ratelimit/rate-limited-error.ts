import { ApiError, type ErrorBody } from "../http/errors";
import type { LimitKind } from "./config";

const describe: Record<LimitKind, string> = {
  app: "this app is sending more events than the collector accepts",
  client: "this client is sending too much (requests, bytes and events)",
  install: "this install (distinct_id) is sending too many events",
  tenant: "this tenant is sending too much",
  auth_failures: "too many failed token attempts from this client",
  client_forgets: "this client is asking to forget too many installs",
  app_forgets: "this app is asked to forget more installs than the collector accepts",
};

/** 429 with `Retry-After` (whole seconds) and the limit that refused: `{ error, message, limit }`. */
export class RateLimitedError extends ApiError {
  constructor(
    readonly limit: LimitKind,
    retryAfterSeconds: number,
    exceedsCapacity: boolean,
  ) {
    const advice = exceedsCapacity
      ? "; the request is larger than this limit's burst, so split it into smaller batches"
      : `; nothing was accepted, retry the whole request in ${retryAfterSeconds} s`;
    super("rate_limited", `${describe[limit]}${advice}`, { "Retry-After": String(retryAfterSeconds) });
  }

  override toBody(): ErrorBody & { limit: LimitKind } {
    return { ...super.toBody(), limit: this.limit };
  }
}
