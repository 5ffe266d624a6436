import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { featuresOf, valueBit } from "../../src/catalog/feature-bits";
import type { StoredEvent } from "../../src/ingest/queue-message";
import { utcDay } from "../../src/lib/time";
import { forget, rows } from "../helpers/harness";
import { meteredD1 } from "../helpers/metered";
import { batchMessage, deliver, storedEvent } from "../helpers/queue";

/**
 * What the consumer stores for insights is exactly once, like the event counts: per-value
 * counts and install-day feature bits after any order of first deliveries, redeliveries and
 * resends (the "checked" way), and nothing of a forgotten install. And it is written per group
 * and per install-day: an install-day row is written again only when a delivery adds a bit.
 */

const APP = "teleport-connect";
const DAY = Date.parse("2026-11-20T10:00:00Z");
const protocols = ["ssh", "db", "kube"] as const;

function eventOf(install: string, protocol: string, upload: boolean | null): StoredEvent {
  if (upload !== null) {
    return storedEvent({
      distinct_id: install,
      event: "connect.fileTransfer.run",
      timestamp: DAY,
      properties: { cluster_name: "c", user_name: "u", is_upload: upload, arch: "arm64" },
    });
  }
  return storedEvent({
    distinct_id: install,
    timestamp: DAY,
    properties: { cluster_name: "c", user_name: "u", protocol },
  });
}

/** The per-value counts and feature bits the stored events must give, computed from them. */
function expected(events: readonly StoredEvent[], forgotten: ReadonlySet<string>) {
  const counts: Record<string, number> = {};
  const features: Record<string, number> = {};
  const bitsOf = new Map<string, Set<number>>();
  for (const e of events) {
    if (forgotten.has(e.distinct_id)) continue;
    const bits = [featuresOf(APP)?.events.get(e.event)?.bit as number];
    for (const [property, value] of Object.entries(e.properties)) {
      const bit = valueBit(APP, e.event, property, String(value));
      if (bit === undefined) continue;
      bits.push(bit);
      const key = `${e.event} ${property}=${value}`;
      counts[key] = (counts[key] ?? 0) + 1;
    }
    let set = bitsOf.get(e.distinct_id);
    if (!set) {
      set = new Set();
      bitsOf.set(e.distinct_id, set);
    }
    for (const bit of bits) set.add(bit);
  }
  for (const [install, set] of bitsOf) features[install] = [...set].reduce((f, bit) => f + 2 ** bit, 0);
  return { counts, features };
}

async function stored() {
  const counts: Record<string, number> = {};
  for (const row of await rows<{ event: string; property: string; value: string; n: number }>(
    "SELECT event, property, value, SUM(count) AS n FROM daily_property_counts GROUP BY event, property, value",
  )) {
    counts[`${row.event} ${row.property}=${row.value}`] = row.n;
  }
  const features: Record<string, number> = {};
  for (const row of await rows<{ distinct_id: string; features: number }>(
    "SELECT distinct_id, features FROM daily_active_installs WHERE day = ?1",
    utcDay(DAY),
  )) {
    if (row.features !== 0) features[row.distinct_id] = row.features;
  }
  return { counts, features };
}

describe("insight rows in the consumer", () => {
  it("count each event once, whatever is delivered again, and nothing of a forgotten install", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.constantFrom(...protocols), fc.option(fc.boolean())), {
          minLength: 1,
          maxLength: 30,
        }),
        fc.array(fc.array(fc.nat(), { maxLength: 12 }), { minLength: 1, maxLength: 4 }),
        fc.boolean(),
        async (shape, deliveries, forgetOne) => {
          await env.DB.exec(
            "DELETE FROM daily_property_counts; DELETE FROM daily_active_installs; DELETE FROM event_uuids; DELETE FROM forgotten_installs",
          );
          const installs = Array.from({ length: 4 }, () => crypto.randomUUID());
          const events = shape.map(([i, protocol, upload]) => eventOf(installs[i] as string, protocol, upload));
          const forgotten = new Set<string>();
          if (forgetOne) {
            expect((await forget(installs[3])).status).toBe(200);
            forgotten.add(installs[3] as string);
          }
          // Some deliveries repeat events already stored (a redelivery, a client's resend)...
          for (const picks of deliveries) {
            const chosen = [...new Set(picks.map((p) => events[p % events.length] as StoredEvent))];
            await deliver([batchMessage(chosen, { received_at: DAY })]);
          }
          // ...then everything arrives once more: each event counts once.
          await deliver([batchMessage(events, { received_at: DAY })]);
          await deliver([batchMessage(events, { received_at: DAY })]);
          expect(await stored()).toEqual(expected(events, forgotten));
        },
      ),
      { seed: 20261207, numRuns: 25 },
    );
  });

  it("writes an install-day row again only when a delivery adds a feature", async () => {
    const install = crypto.randomUUID();
    const meter = { rowsWritten: 0, rowsRead: 0, statements: 0 };
    const metered = { ...env, DB: meteredD1(env.DB, meter) } as Env;
    const sameFeatures = async () => {
      const before = meter.rowsWritten;
      await deliver([batchMessage([eventOf(install, "ssh", null)], { received_at: DAY })], metered);
      return meter.rowsWritten - before;
    };
    await sameFeatures(); // the install-day row is written
    // One more event of the same features: its dedupe key, its event count and its value count,
    // and not the install-day row.
    const same = await sameFeatures();
    // A new value adds a bit: the same rows (its value count row is new), and the install-day row.
    const before = meter.rowsWritten;
    await deliver([batchMessage([eventOf(install, "db", null)], { received_at: DAY })], metered);
    expect(meter.rowsWritten - before - same).toBe(1);
    const [row] = await rows<{ features: number }>(
      "SELECT features FROM daily_active_installs WHERE distinct_id = ?1",
      install,
    );
    const bit = (value: string) => 2 ** (valueBit(APP, "connect.protocol.use", "protocol", value) as number);
    const eventBit = 2 ** (featuresOf(APP)?.events.get("connect.protocol.use")?.bit as number);
    expect(row?.features).toBe(eventBit + bit("ssh") + bit("db"));
  });
});
