import { DAY_MS, utcDay } from "../../src/lib/time";
import type { SimEvent } from "./population";

/**
 * The insights answers computed straight from simulated events, with no code of the
 * collector's: what the API must answer (before the small-group rule, STATS_MIN_INSTALLS = 1).
 * The definitions are docs/INSIGHTS.md's: ranges widened to Monday–Sunday weeks; a breakdown's
 * installs per value are those that sent the event with that value; retention cohorts by an
 * install's first day; funnels at day granularity.
 */

const dayNo = (day: string) => Math.floor(Date.parse(day) / DAY_MS);

export function weeksOf(from: string, to: string): { from: string; to: string; days: number } {
  const a = new Date(from);
  const b = new Date(to);
  const start = dayNo(from) - ((a.getUTCDay() + 6) % 7);
  const end = dayNo(to) + ((7 - b.getUTCDay()) % 7);
  return { from: utcDay(start * DAY_MS), to: utcDay(end * DAY_MS), days: end - start + 1 };
}

const inRange = (e: SimEvent, r: { from: string; to: string }) => e.day >= r.from && e.day <= r.to;

export function referenceBreakdown(
  events: readonly SimEvent[],
  r: { from: string; to: string },
  event: string,
  property: string,
  filter: { os?: string; app_version?: string } = {},
) {
  const values = new Map<string, { events: number; installs: Set<string> }>();
  const all = new Set<string>();
  let total = 0;
  for (const e of events) {
    if (e.event !== event || !inRange(e, r)) continue;
    if (filter.os !== undefined && e.os !== filter.os) continue;
    if (filter.app_version !== undefined && e.app_version !== filter.app_version) continue;
    total++;
    all.add(e.install);
    const raw = e.properties[property];
    if (raw === undefined) continue;
    const value = String(raw);
    let cell = values.get(value);
    if (!cell) {
      cell = { events: 0, installs: new Set() };
      values.set(value, cell);
    }
    cell.events++;
    cell.installs.add(e.install);
  }
  return {
    values: [...values]
      .map(([value, cell]) => ({ value, events: cell.events, installs: cell.installs.size }))
      .sort((a, b) => a.value.localeCompare(b.value)),
    total: { events: total, installs: all.size },
  };
}

export function referenceAdoption(events: readonly SimEvent[], r: { from: string; to: string }) {
  const active = new Set<string>();
  const byEvent = new Map<string, Set<string>>();
  for (const e of events) {
    if (!inRange(e, r)) continue;
    active.add(e.install);
    let set = byEvent.get(e.event);
    if (!set) {
      set = new Set();
      byEvent.set(e.event, set);
    }
    set.add(e.install);
  }
  return { active: active.size, byEvent: new Map([...byEvent].map(([event, set]) => [event, set.size])) };
}

export function referenceRetention(
  events: readonly SimEvent[],
  r: { from: string; to: string; days: number },
  periodDays: number,
) {
  const first = new Map<string, string>();
  const activeDays = new Map<string, Set<string>>();
  for (const e of events) {
    if (e.day > r.to) continue;
    const f = first.get(e.install);
    if (f === undefined || e.day < f) first.set(e.install, e.day);
    if (e.day < r.from) continue;
    let set = activeDays.get(e.install);
    if (!set) {
      set = new Set();
      activeDays.set(e.install, set);
    }
    set.add(e.day);
  }
  const periods = Math.ceil(r.days / periodDays);
  const periodOf = (day: string) => Math.floor((dayNo(day) - dayNo(r.from)) / periodDays);
  const cohorts = Array.from({ length: periods }, (_, c) => Array.from({ length: periods - c }, () => 0));
  for (const [install, day] of first) {
    if (day < r.from) continue;
    const c = periodOf(day);
    const seen = new Set([...(activeDays.get(install) ?? [])].map(periodOf));
    for (const p of seen) (cohorts[c] as number[])[p - c] = ((cohorts[c] as number[])[p - c] ?? 0) + 1;
  }
  return cohorts;
}

export function referenceFunnel(
  events: readonly SimEvent[],
  r: { from: string; to: string },
  steps: readonly string[],
  windowDays: number,
  by?: "os" | "app_version",
) {
  // Per install, the days it sent each step, and its OS / version by day.
  const daysOf = new Map<string, Map<string, Set<number>>>();
  const valueOn = new Map<string, Map<number, string>>();
  for (const e of events) {
    if (!inRange(e, r)) continue;
    let perStep = daysOf.get(e.install);
    if (!perStep) {
      perStep = new Map();
      daysOf.set(e.install, perStep);
    }
    let set = perStep.get(e.event);
    if (!set) {
      set = new Set();
      perStep.set(e.event, set);
    }
    set.add(dayNo(e.day));
    if (by) {
      let values = valueOn.get(e.install);
      if (!values) {
        values = new Map();
        valueOn.set(e.install, values);
      }
      if (!values.has(dayNo(e.day))) values.set(dayNo(e.day), e[by]);
    }
  }
  const groups = new Map<string, number[]>();
  for (const [install, perStep] of daysOf) {
    const starts = [...(perStep.get(steps[0] as string) ?? [])].sort((a, b) => a - b);
    if (starts.length === 0) continue;
    let reached = 1;
    for (const start of starts) {
      let at = start;
      let k = 1;
      for (; k < steps.length; k++) {
        const next = [...(perStep.get(steps[k] as string) ?? [])]
          .filter((d) => d >= at && d - start < windowDays)
          .sort((a, b) => a - b)[0];
        if (next === undefined) break;
        at = next;
      }
      reached = Math.max(reached, k);
    }
    const group = by ? (valueOn.get(install)?.get(starts[0] as number) ?? "") : "";
    const counts = groups.get(group) ?? steps.map(() => 0);
    for (let i = 0; i < reached; i++) counts[i] = (counts[i] ?? 0) + 1;
    groups.set(group, counts);
  }
  return groups;
}
