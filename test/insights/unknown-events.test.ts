import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { catalogue } from "../../src/catalog/definition";
import { utcDay } from "../../src/lib/time";
import type { EventStats } from "../../src/stats/queries";
import { protocolUse } from "../helpers/events";
import { operatorGet, post, randomIp, rows } from "../helpers/harness";
import { disguisedIdentifier } from "../helpers/identifiers";
import { deliver, recordingEventsQueue } from "../helpers/queue";

/**
 * Events refused as unknown are counted by name for the drops page, and the name is kept only
 * when the catalogue declares it (an event of another app): a client-chosen name that spells an
 * identifier, in any disguise, is counted as "(other)" and stored nowhere.
 */

const APP = "teleport-connect";

describe("unknown events by name", () => {
  it("keep only the catalogue's names, whatever identifier a client sends as an event name", async () => {
    const foreign = Object.keys(catalogue.events).find((name) => !catalogue.events[name]?.apps.includes(APP)) as string;
    await fc.assert(
      fc.asyncProperty(fc.array(disguisedIdentifier, { minLength: 1, maxLength: 4 }), async (identifiers) => {
        const recording = recordingEventsQueue();
        const body = {
          app: APP,
          events: [
            protocolUse(),
            protocolUse({ event: foreign }),
            ...identifiers.map((id) => protocolUse({ event: id.sent })),
          ],
        };
        const res = await post("/v1/events", body, { ip: randomIp(), bindings: { EVENTS_QUEUE: recording.queue } });
        expect(res.status).toBe(202);
        const before = await rows<{ event: string; count: number }>("SELECT event, count FROM daily_unknown_events");
        await deliver(recording.bodies);
        const after = await rows<{ event: string; count: number }>("SELECT event, count FROM daily_unknown_events");
        const added = Object.fromEntries(
          after.map((row) => [row.event, row.count - (before.find((b) => b.event === row.event)?.count ?? 0)]),
        );
        // Every stored name is the catalogue's or (other); each identifier counted as (other).
        for (const row of after) expect(row.event === "(other)" || row.event in catalogue.events).toBe(true);
        expect(added[foreign]).toBe(1);
        expect(added["(other)"] ?? 0).toBe(identifiers.filter((id) => !(id.sent in catalogue.events)).length);
        for (const id of identifiers) expect(JSON.stringify(after)).not.toContain(id.plain);
      }),
      { seed: 20261206, numRuns: 30 },
    );
    const stats = await operatorGet<EventStats>(
      `/v1/stats/events?app=${APP}&from=${utcDay(Date.now() - 86_400_000)}&to=${utcDay(Date.now())}`,
    );
    expect(stats.unknown_events[foreign]).toBe(30);
  });
});
