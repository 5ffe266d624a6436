import { beforeAll, describe, expect, it } from "vitest";
import type { AdoptionAnswer, BreakdownAnswer, FunnelAnswer, RetentionAnswer } from "../../src/insights/answers";
import { DAY_MS } from "../../src/lib/time";
import { operatorCall, operatorGet, post, randomIp, runHourlyCron } from "../helpers/harness";
import {
  referenceAdoption,
  referenceBreakdown,
  referenceFunnel,
  referenceRetention,
  weeksOf,
} from "../helpers/insights-reference";
import { batchesOf, type Population, simulate } from "../helpers/population";
import { deliver, recordingEventsQueue } from "../helpers/queue";

/**
 * The insights answers for a simulated population (2,000 installs over 60 days, seeded: churn,
 * weekly habits, version upgrades, a funnel with drop-off), sent through POST /v1/events and
 * stored by the events consumer, against the same answers computed from the simulated events
 * (test/helpers/insights-reference.ts). With STATS_MIN_INSTALLS = 1 every cell is compared
 * exactly; with the default 5, every published number must be the true one and at least 5, and
 * every hidden cell a small group (what is hidden is printed).
 */

const SEED = 20261207;
const INSTALLS = 2_000;
const DAYS = 60;
const APP = "teleport-connect";
const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
let population: Population;
let range: { from: string; to: string; days: number };
// Events of 60 days ago are accepted: the acceptance window is widened for the test only.
const bindings = { RAW_EVENT_RETENTION_DAYS: "70", RATE_LIMIT_ENABLED: "false" } as Partial<Env>;
const exactly = { bindings: { STATS_MIN_INSTALLS: "1" } as Partial<Env> };

beforeAll(async () => {
  population = simulate(SEED, INSTALLS, DAYS, today - DAY_MS);
  range = weeksOf(population.days[0] as string, population.days[DAYS - 1] as string);
  const recording = recordingEventsQueue();
  const batches = batchesOf(population);
  for (let i = 0; i < batches.length; i += 25) {
    const answers = await Promise.all(
      batches
        .slice(i, i + 25)
        .map((body) =>
          post("/v1/events", body, { ip: randomIp(), bindings: { ...bindings, EVENTS_QUEUE: recording.queue } }),
        ),
    );
    for (const res of answers) expect(res.status).toBe(202);
  }
  expect(recording.events.length).toBe(population.events.length);
  for (let i = 0; i < recording.bodies.length; i += 100) {
    await deliver(recording.bodies.slice(i, i + 100));
  }
}, 600_000);

const q = (params: Record<string, string>) =>
  new URLSearchParams({ app: APP, from: range.from, to: range.to, ...params }).toString();

describe("insights of a simulated population", () => {
  it("breaks an event down by its enum property, by a common property and by the version, exactly", async () => {
    for (const [event, property] of [
      ["connect.protocol.use", "protocol"],
      ["connect.protocol.use", "origin"],
      ["connect.protocol.use", "arch"],
      ["connect.cluster.login", "connector_type"],
      ["connect.fileTransfer.run", "is_upload"],
      ["connect.protocol.use", "app_version"],
      ["connect.protocol.use", "os"],
    ] as const) {
      const answer = await operatorGet<BreakdownAnswer>(`/v1/insights/breakdown?${q({ event, property })}`, exactly);
      const expected = referenceBreakdown(population.events, range, event, property);
      expect(answer.exact).toBe(true);
      expect({
        event,
        property,
        values: [...answer.values].sort((a, b) => a.value.localeCompare(b.value)),
        total: answer.total,
      }).toEqual({
        event,
        property,
        ...expected,
      });
      console.log(
        `breakdown ${event} by ${property}: ${JSON.stringify(answer.values)} (reference ${JSON.stringify(expected.values)})`,
      );
    }
  });

  it("filters a breakdown by OS and version, per week and against the previous period", async () => {
    const byValue = <T extends { value: string }>(cells: readonly T[]) =>
      [...cells].sort((a, b) => a.value.localeCompare(b.value));
    for (const filter of [{ os: "linux" }, { os: "linux", app_version: "18.0.0" }] as Record<string, string>[]) {
      const answer = await operatorGet<BreakdownAnswer>(
        `/v1/insights/breakdown?${q({ event: "connect.protocol.use", property: "protocol", ...filter, interval: "week", compare: "previous" })}`,
        exactly,
      );
      // Events per value are kept by OS, not by version: with a version filter they are null.
      const withEvents = <T extends { events: number }>(cells: readonly T[]) =>
        cells.map((cell) => ({ ...cell, events: filter.app_version ? null : cell.events }));
      const expected = referenceBreakdown(population.events, range, "connect.protocol.use", "protocol", filter);
      expect(byValue(answer.values)).toEqual(withEvents(expected.values));
      expect(answer.total).toEqual(expected.total);
      expect(answer.series?.length).toBe(range.days / 7);
      for (const week of answer.series ?? []) {
        const r = { from: week.start, to: new Date(Date.parse(week.start) + 6 * DAY_MS).toISOString().slice(0, 10) };
        const w = referenceBreakdown(population.events, r, "connect.protocol.use", "protocol", filter);
        expect(byValue(week.values)).toEqual(withEvents(w.values));
        expect(week.total).toEqual(w.total);
      }
      // The previous period of the same length lies before the population: nothing in it.
      expect(answer.previous?.total).toEqual({ events: 0, installs: 0 });
    }
  });

  it("counts adoption of every event against the active installs, exactly", async () => {
    const answer = await operatorGet<AdoptionAnswer>(`/v1/insights/adoption?${q({})}`, exactly);
    const expected = referenceAdoption(population.events, range);
    expect(answer.active_installs).toBe(expected.active);
    for (const row of answer.events)
      expect([row.event, row.installs]).toEqual([row.event, expected.byEvent.get(row.event) ?? 0]);
    console.log(
      `adoption: active ${answer.active_installs}; ${answer.events.map((e) => `${e.event} ${e.installs} (${e.share})`).join(", ")}`,
    );
  });

  it("builds weekly and daily retention cohorts, exactly", async () => {
    const later = weeksOf(population.days[21] as string, population.days[DAYS - 1] as string);
    for (const [period, r] of [
      ["week", range],
      ["day", range],
      ["week", later],
    ] as const) {
      const answer = await operatorGet<RetentionAnswer>(
        `/v1/insights/retention?${new URLSearchParams({ app: APP, from: r.from, to: r.to, period })}`,
        exactly,
      );
      const expected = referenceRetention(population.events, r, period === "week" ? 7 : 1);
      expect(answer.cohorts.map((c) => c.retained)).toEqual(expected);
      expect(answer.cohorts.map((c) => c.installs)).toEqual(expected.map((row) => row[0]));
      if (r === range && period === "week")
        console.log(`retention (weeks): ${JSON.stringify(answer.cohorts.map((c) => c.retained))}`);
    }
  });

  it("follows installs through a funnel within its window, overall and by OS, exactly", async () => {
    const steps = [
      "connect.cluster.login",
      "connect.protocol.use",
      "connect.accessRequest.create",
      "connect.accessRequest.assumeRole",
    ];
    for (const window of [1, 3, 7]) {
      const answer = await operatorGet<FunnelAnswer>(
        `/v1/insights/funnel?${q({ steps: steps.join(","), window_days: String(window), by: "os" })}`,
        exactly,
      );
      const groups = referenceFunnel(population.events, range, steps, window, "os");
      const totals = steps.map((_, i) => [...groups.values()].reduce((n, counts) => n + (counts[i] ?? 0), 0));
      expect(answer.steps.map((s) => s.installs)).toEqual(totals);
      const byOs = Object.fromEntries((answer.by?.groups ?? []).map((g) => [g.value, g.steps.map((s) => s.installs)]));
      expect(byOs).toEqual(Object.fromEntries(groups));
      console.log(`funnel (window ${window} days): ${totals.join(" → ")}; by OS ${JSON.stringify(byOs)}`);
    }
  });

  it("hides every small group with the default minimum, and publishes every other cell as it is", async () => {
    const min = 5;
    const hidden: string[] = [];
    /** A published cell: the true number, else a mask that the true number fits. */
    const check = (where: string, cell: number | string, truth: number, whole?: number) => {
      if (typeof cell === "number") {
        expect(cell, where).toBe(truth);
        if (truth > 0) expect(truth, where).toBeGreaterThanOrEqual(min);
        if (whole !== undefined && whole > truth) expect(whole - truth, where).toBeGreaterThanOrEqual(min);
        return;
      }
      hidden.push(`${where}: ${cell} (${truth})`);
      if (cell === `< ${min}`) expect(truth > 0 && truth < min, where).toBe(true);
      else
        expect([cell, whole !== undefined && whole - truth > 0 && whole - truth < min], where).toEqual([
          `> ${(whole ?? 0) - min}`,
          true,
        ]);
    };
    for (const [event, property] of [
      ["connect.protocol.use", "protocol"],
      ["connect.protocol.use", "arch"],
      ["connect.cluster.login", "connector_type"],
      ["connect.user.job_role", "job_role"],
    ] as const) {
      const answer = await operatorGet<BreakdownAnswer>(`/v1/insights/breakdown?${q({ event, property })}`);
      const reference = referenceBreakdown(population.events, range, event, property);
      const published = new Set(answer.values.map((v) => v.value));
      const merged = reference.values.filter((v) => !published.has(v.value)).map((v) => v.value);
      for (const cell of answer.values) {
        expect(cell.installs).toBeGreaterThanOrEqual(min);
        if (cell.value === "(other)") {
          const installs = new Set(
            population.events
              .filter((e) => e.event === event && merged.includes(String(e.properties[property])))
              .map((e) => e.install),
          );
          expect(cell.installs).toBe(installs.size);
          hidden.push(
            `${event} by ${property}: (other) holds ${merged.join(", ")} (${merged.map((m) => reference.values.find((v) => v.value === m)?.installs).join(", ")} installs)`,
          );
        } else {
          expect(cell).toEqual(reference.values.find((v) => v.value === cell.value));
        }
      }
    }
    const adoption = await operatorGet<AdoptionAnswer>(`/v1/insights/adoption?${q({})}`);
    const reference = referenceAdoption(population.events, range);
    for (const row of adoption.events)
      check(`adoption ${row.event}`, row.installs, reference.byEvent.get(row.event) ?? 0, reference.active);
    const retention = await operatorGet<RetentionAnswer>(`/v1/insights/retention?${q({ period: "day" })}`);
    const cohorts = referenceRetention(population.events, range, 1);
    retention.cohorts.forEach((cohort, c) => {
      const truth = cohorts[c] as number[];
      cohort.retained.forEach((cell, k) => {
        check(`retention day ${c} +${k}`, cell, truth[k] ?? 0, k === 0 ? undefined : truth[0]);
      });
    });
    const steps = [
      "connect.accessRequest.create",
      "connect.accessRequest.assumeRole",
      "connect.connectMyComputer.setup",
    ];
    const funnel = await operatorGet<FunnelAnswer>(
      `/v1/insights/funnel?${q({ steps: steps.join(","), window_days: "7" })}`,
    );
    const totals = [...referenceFunnel(population.events, range, steps, 7).values()][0] as number[];
    funnel.steps.forEach((step, i) => {
      check(`funnel step ${i + 1}`, step.installs, totals[i] ?? 0, i === 0 ? undefined : totals[i - 1]);
    });
    const kinds = new Map<string, number>();
    for (const line of hidden)
      kinds.set(line.split(/ \d| by|:/)[0] as string, (kinds.get(line.split(/ \d| by|:/)[0] as string) ?? 0) + 1);
    console.log(
      `hidden by the small-group rule: ${[...kinds].map(([kind, n]) => `${kind} ${n}`).join(", ")}\n${hidden
        .filter((line) => !line.startsWith("retention"))
        .concat(hidden.filter((line) => line.startsWith("retention")).slice(0, 5))
        .join("\n")}`,
    );
    expect(hidden.length).toBeGreaterThan(0);
  });

  // Last: it folds the per-install rows of older days into sketches.
  it("estimates adoption and breakdown installs once the range reaches folded days, within the sketches' error", async () => {
    const fold = { RAW_EVENT_RETENTION_DAYS: "1", EXACT_INSTALL_DAYS: "10" } as Partial<Env>;
    for (let run = 0; run < 4; run++) await runHourlyCron(Date.now(), fold);
    const adoption = await operatorGet<AdoptionAnswer>(`/v1/insights/adoption?${q({})}`, exactly);
    const reference = referenceAdoption(population.events, range);
    expect(adoption.exact).toBe(false);
    const within = (estimate: number | string, truth: number) =>
      expect(Math.abs(Number(estimate) - truth), `${estimate} for ${truth}`).toBeLessThanOrEqual(
        Math.max(2, truth * 0.05),
      );
    within(adoption.active_installs, reference.active);
    for (const row of adoption.events) within(row.installs, reference.byEvent.get(row.event) ?? 0);
    for (const property of ["protocol", "os"]) {
      const answer = await operatorGet<BreakdownAnswer>(
        `/v1/insights/breakdown?${q({ event: "connect.protocol.use", property })}`,
        exactly,
      );
      const expected = referenceBreakdown(population.events, range, "connect.protocol.use", property);
      expect(answer.exact).toBe(false);
      expect(answer.values.map((v) => v.value).sort()).toEqual(expected.values.map((v) => v.value));
      for (const cell of answer.values) {
        const truth = expected.values.find((v) => v.value === cell.value);
        expect(cell.events).toBe(truth?.events); // events per value stay exact
        within(cell.installs, truth?.installs ?? 0);
      }
      within(answer.total.installs, expected.total.installs);
      console.log(
        `estimated breakdown by ${property}: ${answer.values.map((v) => `${v.value} ${v.installs} (exact ${expected.values.find((e) => e.value === v.value)?.installs})`).join(", ")}`,
      );
    }
    // Retention and funnels follow installs day by day: a range reaching folded days is refused.
    const refused = await operatorCall("GET", `/v1/insights/retention?${q({ period: "week" })}`);
    expect([refused.status, refused.body.error]).toEqual([400, "invalid_query"]);
  });
});
