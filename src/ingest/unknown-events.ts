import { catalogue } from "../catalog/definition";
import type { Rejection } from "../http/judge";
import { OTHER } from "../lib/other";

/**
 * The names of events refused as `unknown_event`, as the collector may keep them: a client
 * chooses an event's name, so it can spell an identifier (`alice@example.com`, a host name).
 * A name is counted under itself only when the catalogue declares it — an event of another app,
 * or one this app sends only with a tenant token — and every other name as `(other)`: the set
 * is the catalogue's, like the undeclared property names counted on the drops page.
 */
export function countUnknownEvents(events: readonly unknown[], rejected: readonly Rejection[]): Record<string, number> {
  const counts = Object.create(null) as Record<string, number>;
  for (const rejection of rejected) {
    if (rejection.error !== "unknown_event") continue;
    const sent = (events[rejection.index] as { event?: unknown } | null | undefined)?.event;
    const name = typeof sent === "string" && Object.hasOwn(catalogue.events, sent) ? sent : OTHER;
    counts[name] = (counts[name] ?? 0) + 1;
  }
  return counts;
}
