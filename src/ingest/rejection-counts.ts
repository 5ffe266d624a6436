import { countByError, type Rejection } from "../http/judge";

/**
 * What the visible drops count of a batch's rejections: their error codes, and for an event a
 * front door could not decode because its wire format numbers event kinds and this one is newer
 * than the schema (a prehog oneof case), the number too. Such a door names the event
 * `oneof <n>`; its `unknown_event` rejection is counted as `unknown_event oneof <n>`, so that the
 * drops page shows which kinds a newer client sends. Only a number of at most three digits from a
 * tenant's batch is counted so: tenants are accountable, and a bound keeps the public doors from
 * growing `daily_rejections` by one row per number they make up. A number is not an identifier.
 */

const NUMBERED = /^oneof ([1-9][0-9]{0,2})$/;

export function rejectionCounts(
  rejected: readonly Rejection[],
  events: readonly unknown[],
  tenantId: string | null,
): Record<string, number> {
  return countByError(rejected.map((rejection) => ({ error: counterOf(rejection, events, tenantId) })));
}

function counterOf(rejection: Rejection, events: readonly unknown[], tenantId: string | null): string {
  if (rejection.error !== "unknown_event" || tenantId === null) return rejection.error;
  const name = (events[rejection.index] as { event?: unknown } | undefined)?.event;
  const number = typeof name === "string" ? NUMBERED.exec(name)?.[1] : undefined;
  return number === undefined ? rejection.error : `unknown_event oneof ${number}`;
}
