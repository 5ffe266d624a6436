import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { OTHER } from "../../src/lib/other";
import { type Cell, hideSmallGroups } from "../../src/lib/small-groups";
import type { Breakdown } from "../../src/stats/breakdown";
import { get, operator } from "../helpers/harness";
import { batchMessage, deliver, storedEvent } from "../helpers/queue";

/**
 * The small-group rule: no published cell but `(other)` counts fewer than STATS_MIN_INSTALLS
 * installs, and the cells add up to the total. Checked on the rule itself and end to end,
 * from queue messages through D1 to GET /v1/stats/breakdown, against a model of the installs.
 */

const SEED = 20_261_126;
const MIN_INSTALLS = 5; // wrangler.toml's STATS_MIN_INSTALLS

/** What any published breakdown must satisfy, whatever the data. */
function expectRuleHolds(cells: readonly Cell[], exact: ReadonlyMap<string, number>, min: number) {
  const total = [...exact.values()].reduce((a, b) => a + b, 0);
  expect(cells.reduce((n, cell) => n + cell.installs, 0)).toBe(total);
  expect(new Set(cells.map((cell) => cell.value)).size).toBe(cells.length);
  for (const cell of cells) {
    if (cell.value === OTHER) continue;
    expect(cell.installs).toBeGreaterThanOrEqual(min);
    // A published value is shown with its exact count, never another's.
    expect(cell.installs).toBe(exact.get(cell.value));
  }
  const other = cells.find((cell) => cell.value === OTHER);
  // (other) is small only when everything is: then it is the total, which is published anyway.
  if (other && other.installs < min) expect(cells).toEqual([other]);
  for (const [value, n] of exact) {
    if (n < min && value !== OTHER) expect(cells.map((cell) => cell.value)).not.toContain(value);
  }
}

describe("hideSmallGroups", () => {
  it("publishes no small cell and keeps the total, for any cells and threshold", () => {
    const cells = fc.uniqueArray(
      fc.record({
        value: fc.oneof(fc.string({ minLength: 1, maxLength: 8 }), fc.constant(OTHER)),
        installs: fc.integer({ min: 1, max: 60 }),
      }),
      { selector: (cell) => cell.value, maxLength: 25 },
    );
    fc.assert(
      fc.property(cells, fc.integer({ min: 1, max: 20 }), (input, min) => {
        const exact = new Map(input.map((cell) => [cell.value, cell.installs]));
        expectRuleHolds(hideSmallGroups(input, min), exact, min);
      }),
      { seed: SEED, numRuns: 500 },
    );
  });

  it("leaves a breakdown without small cells as it is, largest first", () => {
    expect(
      hideSmallGroups(
        [
          { value: "linux", installs: 5 },
          { value: "darwin", installs: 9 },
        ],
        5,
      ),
    ).toEqual([
      { value: "darwin", installs: 9 },
      { value: "linux", installs: 5 },
    ]);
  });
});

const VERSIONS = ["17.0.1", "17.0.2", "16.4.7", "15.2.0", "14.0.0", ""];
const OSES = ["darwin", "linux", "win32", ""];
const COUNTRIES = ["DE", "US", "JP", null];

/** An install of the model: active on the first day, and on the second day if `upgraded`, with its values of each day. */
const install = fc.record({
  first: fc.record({
    version: fc.constantFrom(...VERSIONS),
    os: fc.constantFrom(...OSES),
    country: fc.constantFrom(...COUNTRIES),
  }),
  second: fc.option(
    fc.record({
      version: fc.constantFrom(...VERSIONS),
      os: fc.constantFrom(...OSES),
      country: fc.constantFrom(...COUNTRIES),
    }),
    { nil: undefined },
  ),
});

describe("GET /v1/stats/breakdown", () => {
  it("counts each install once, under its last day's values, with small groups hidden", async () => {
    let run = 0;
    await fc.assert(
      fc.asyncProperty(fc.array(install, { maxLength: 40 }), async (installs) => {
        // Each run has its own two days, so runs never see each other's installs.
        const first = Date.parse("2024-01-01T12:00:00Z") + run * 2 * 86_400_000;
        run++;
        const ids = installs.map(() => crypto.randomUUID());
        const messages = [
          ...installs.map((inst, i) => ({ day: first, values: inst.first, id: ids[i] ?? "" })),
          ...installs.flatMap((inst, i) =>
            inst.second ? [{ day: first + 86_400_000, values: inst.second, id: ids[i] ?? "" }] : [],
          ),
        ].map(({ day, values, id }) =>
          batchMessage([storedEvent({ distinct_id: id, timestamp: day, app_version: values.version, os: values.os })], {
            country: values.country,
          }),
        );
        if (messages.length > 0) await deliver(messages);

        const from = new Date(first).toISOString().slice(0, 10);
        const to = new Date(first + 86_400_000).toISOString().slice(0, 10);
        const res = await get(`/v1/stats/breakdown?app=teleport-connect&from=${from}&to=${to}`, {
          headers: operator(),
        });
        expect(res.status).toBe(200);
        const breakdown = (await res.json()) as Breakdown;
        expect(breakdown.min_installs).toBe(MIN_INSTALLS);
        expect(breakdown.active_installs).toBe(installs.length);

        const latest = installs.map((inst) => inst.second ?? inst.first);
        const exact = (pick: (values: (typeof latest)[number]) => string | null) => {
          const counts = new Map<string, number>();
          for (const values of latest) {
            const value = pick(values) || "(unknown)";
            counts.set(value, (counts.get(value) ?? 0) + 1);
          }
          return counts;
        };
        expectRuleHolds(
          breakdown.app_version,
          exact((v) => v.version),
          MIN_INSTALLS,
        );
        expectRuleHolds(
          breakdown.os,
          exact((v) => v.os),
          MIN_INSTALLS,
        );
        expectRuleHolds(
          breakdown.country,
          exact((v) => v.country),
          MIN_INSTALLS,
        );
      }),
      { seed: SEED, numRuns: 25 },
    );
  });

  it("answers 400 for a bad range and 401 without the operator token", async () => {
    const bad = await get("/v1/stats/breakdown?app=teleport-connect&from=2026-02-01&to=2026-01-01", {
      headers: operator(),
    });
    expect(bad.status).toBe(400);
    const anonymous = await get("/v1/stats/breakdown?app=teleport-connect&from=2026-01-01&to=2026-01-02");
    expect(anonymous.status).toBe(401);
  });
});
