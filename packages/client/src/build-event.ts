import { anonymizerCache } from "./anonymize.js";
import { catalog } from "./catalog.generated.js";
import { randomUuid } from "./uuid.js";

/**
 * An event as it leaves the process, built once for every way of sending it (`createClient`,
 * the CLI mode's spool): only the properties the catalogue declares for it and the app's
 * common ones, anonymized ones replaced by their digests, a random uuid. Nothing plain that
 * the catalogue marks `anonymized` is ever queued, saved or spooled.
 */

/** One event as `POST /v1/events` takes it. */
export interface WireEvent {
  uuid: string;
  event: string;
  distinct_id: string;
  timestamp: string;
  properties: Record<string, unknown>;
}

export type Properties = Record<string, unknown>;

/** Builds events of `app` (throws at once for an app not in the catalogue); `distinct_id` and `timestamp` are the caller's. */
export function eventBuilder(
  app: string,
  common: Properties | undefined,
): (event: string, given: Properties, clusterKey: string | undefined) => Promise<WireEvent> {
  const entry = catalog[app as keyof typeof catalog];
  if (!entry) throw new Error(`edgehog: app "${app}" is not in the catalogue`);
  const anonymizerFor = anonymizerCache();
  return async (event, given, clusterKey) => {
    const spec = entry.events[event];
    if (!spec) throw { error: "unknown_event", message: `"${event}" is not an event of app "${app}"` };
    const all: Properties = { ...common, ...given };
    const properties: Properties = {};
    for (const name of [...entry.common, ...spec.properties]) {
      const value = all[name];
      if (value === undefined || value === null) continue;
      if (!spec.anonymized.includes(name)) properties[name] = value;
      else if (typeof value !== "string") throw { error: "invalid_property", message: `${name} must be a string` };
      else if (!clusterKey) throw { error: "missing_cluster_key", message: `"${event}" needs a clusterKey` };
      else properties[name] = await anonymizerFor(clusterKey).anonymize(value);
    }
    return { uuid: randomUuid(), event, distinct_id: "", timestamp: "", properties };
  };
}
