import { env } from "cloudflare:workers";
import { type DescMessage, ScalarType } from "@bufbuild/protobuf";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { TeleportReportingService } from "../../src/prehog/gen/prehog/v1alpha/teleport_pb";
import { bearer } from "../helpers/harness";
import { disguisedIdentifier, readable } from "../helpers/identifiers";
import { recordingEventsQueue } from "../helpers/queue";
import { digestOf, tenantWithToken } from "../helpers/tenants";
import { type ClusterCase, sampleEvent, TELEPORT_CASES } from "./cluster-samples";
import { client } from "./helpers";

/**
 * Any string field of any event Teleport sends, set to an identifier (an email, an address, a
 * host, a phone or card number, a token…, disguised and embedded as the identifier suites do):
 * the event is refused, or stored without it. Whatever the catalogue decided for the field —
 * a digest, a closed set with `other`, a version, a random id, never stored — no identifier
 * gets through as sent.
 */

/** Paths (local names, outermost first) of every string field of a message, nested ones included. */
function stringPaths(message: DescMessage): string[][] {
  return message.fields.flatMap((field): string[][] => {
    if (field.fieldKind === "scalar" && field.scalar === ScalarType.STRING) return [[field.localName]];
    if (field.fieldKind === "message") return stringPaths(field.message).map((path) => [field.localName, ...path]);
    return [];
  });
}

const targets = TELEPORT_CASES.flatMap((field) =>
  field.fieldKind === "message"
    ? stringPaths(field.message).map((path) => ({ eventCase: field.localName as ClusterCase, path }))
    : [],
);

describe("identifiers in Teleport's string fields", () => {
  it("never reach what is stored, through any field of any event", async () => {
    const { issued } = await tenantWithToken(`teleport-privacy-${crypto.randomUUID().slice(0, 8)}`);
    const cluster = await digestOf("prod");
    let storedRuns = 0;
    await fc.assert(
      fc.asyncProperty(fc.constantFrom(...targets), disguisedIdentifier, async ({ eventCase, path }, id) => {
        const request = sampleEvent(eventCase, cluster, Date.now() - 1000);
        let holder = (request.event as { value: Record<string, unknown> }).value;
        for (const step of path.slice(0, -1)) holder = holder[step] as Record<string, unknown>;
        holder[path.at(-1) as string] = id.sent;
        const { queue, events } = recordingEventsQueue({ passTo: env.EVENTS_QUEUE });
        await client(TeleportReportingService, "connect+proto", { ...env, EVENTS_QUEUE: queue })
          .submitEvents({ events: [request] }, { headers: bearer(issued.token) })
          .catch(() => {}); // refused: nothing was stored
        if (events.length > 0) storedRuns++;
        for (const value of events.flatMap((e) => Object.values(e.properties))) {
          if (typeof value === "string") {
            expect(readable(value), `${eventCase}.${path.join(".")}: ${id.how}`).not.toContain(readable(id.plain));
          }
        }
      }),
      { seed: 20261206, numRuns: 120 },
    );
    console.log(`${targets.length} string fields; ${storedRuns} of 120 runs stored their event without the identifier`);
  }, 120_000);
});
