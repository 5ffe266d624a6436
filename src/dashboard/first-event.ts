import { catalogue } from "../catalog/definition";
import type { PropertySpec } from "../catalog/types";

/**
 * The command an empty Events page suggests: a curl that sends one valid event of the app to
 * this collector, built from the catalogue so that it stays valid when the catalogue changes.
 */

function sampleValue(spec: PropertySpec): string {
  switch (spec.class) {
    case "anonymized":
      return '"\'"$(digest)"\'"';
    case "enum":
      return JSON.stringify(spec.values[0] ?? "");
    case "version":
      return '"1.0.0"';
    case "count":
      return "1";
    case "bool":
      return "true";
    case "text":
      return '"example"';
    case "id":
      return JSON.stringify(crypto.randomUUID());
  }
}

export function firstEventCommand(origin: string, app: string): string {
  const events = Object.entries(catalogue.events).filter(([, event]) => event.apps.includes(app));
  const [name, event] = events.find(([, e]) => e.tenantOnly !== true) ?? events[0] ?? ["", undefined];
  if (!event) return "";
  const properties = Object.entries(event.properties)
    .filter(([, spec]) => spec.optional !== true)
    .map(([property, spec]) => `"${property}": ${sampleValue(spec)}`)
    .join(", ");
  const auth = event.tenantOnly ? " -H 'authorization: Bearer <a tenant token: npm run tenant -- token <tenant>>'" : "";
  return [
    "digest() { head -c32 /dev/urandom | base64; }   # stands in for an HMAC computed by the client",
    `curl -s ${origin}/v1/events -H 'content-type: application/json'${auth} -d '{`,
    `  "app": "${app}",`,
    `  "events": [{ "uuid": "'"$(cat /proc/sys/kernel/random/uuid)"'", "event": "${name}",`,
    `    "distinct_id": "'"$(cat /proc/sys/kernel/random/uuid)"'", "timestamp": "'"$(date -u +%FT%TZ)"'",`,
    `    "properties": { ${properties} } }]`,
    "}'",
  ].join("\n");
}
