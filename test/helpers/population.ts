import { DAY_MS, HOUR_MS, utcDay } from "../../src/lib/time";

/**
 * A seeded population of Teleport Connect installs, for the insights tests: installs join over
 * the days, some leave for good (churn), each has a weekly habit (weekdays, or now and then),
 * upgrades its version some days after each release, and goes through a funnel with drop-off
 * (log in, open connections, request access, assume the role, sometimes days later). A few
 * values are rare on purpose (`ia32`, `passwordless`, `desktop`, Connect My Computer), so the
 * small-group rule has something to hide. Each event is kept as the test sends it, so answers
 * can be computed from it independently of the collector.
 */

export interface SimEvent {
  install: string;
  /** Index of the install in the population. */
  n: number;
  event: string;
  day: string;
  timestamp: number;
  app_version: string;
  os: string;
  properties: Record<string, string | boolean>;
}

export interface Population {
  events: SimEvent[];
  installs: string[];
  days: string[];
}

/** mulberry32: a small seeded generator, so every run simulates the same population. */
export function seeded(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

function pick<T extends string>(random: () => number, weights: readonly (readonly [T, number])[]): T {
  let x = random() * weights.reduce((n, [, w]) => n + w, 0);
  for (const [value, w] of weights) {
    x -= w;
    if (x < 0) return value;
  }
  return (weights[weights.length - 1] as readonly [T, number])[0];
}

const uuidOf = (random: () => number) => {
  const hex = Array.from({ length: 32 }, () => Math.floor(random() * 16).toString(16));
  hex[12] = "4";
  hex[16] = "89ab"[Math.floor(random() * 4)] as string;
  const h = hex.join("");
  return `${h.slice(0, 8)}-${h.slice(8, 12)}-${h.slice(12, 16)}-${h.slice(16, 20)}-${h.slice(20)}`;
};

/** `installs` installs over `dayCount` days ending with `lastDay` (a UTC day's start, ms). */
export function simulate(seed: number, installCount: number, dayCount: number, lastDay: number): Population {
  const random = seeded(seed);
  const days = Array.from({ length: dayCount }, (_, d) => utcDay(lastDay - (dayCount - 1 - d) * DAY_MS));
  const events: SimEvent[] = [];
  const installs: string[] = [];
  const releases = [
    ["17.0.1", 0],
    ["17.1.0", Math.floor(dayCount / 3)],
    ["18.0.0", Math.floor((2 * dayCount) / 3)],
  ] as const;
  for (let n = 0; n < installCount; n++) {
    const install = uuidOf(random);
    installs.push(install);
    // A third were there before the first day; the rest join over the days.
    const joined = random() < 0.33 ? 0 : Math.floor(random() * dayCount);
    const leaves = joined + Math.floor(-Math.log(1 - random()) * 30); // ~3 % a day leave for good
    const weekdays = random() < 0.7;
    const os = pick(random, [
      ["darwin", 5],
      ["linux", 3],
      ["win32", 2],
    ] as const);
    const arch = pick(random, [
      ["x64", 70],
      ["arm64", 29.6],
      ["ia32", 0.15],
    ] as const);
    const connector = pick(random, [
      ["local", 40],
      ["github", 30],
      ["saml", 20],
      ["oidc", 9.5],
      ["passwordless", 0.1],
    ] as const);
    const lag = Math.floor(random() * 12);
    const cluster = btoa(String.fromCharCode(...Array.from({ length: 32 }, () => Math.floor(random() * 256))));
    const user = btoa(String.fromCharCode(...Array.from({ length: 32 }, () => Math.floor(random() * 256))));
    let assumeOn = -1;
    for (let d = joined; d < Math.min(leaves, dayCount); d++) {
      const start = lastDay - (dayCount - 1 - d) * DAY_MS;
      const weekday = new Date(start).getUTCDay();
      const workday = weekday >= 1 && weekday <= 5;
      const p = weekdays ? (workday ? 0.75 : 0.08) : 0.3;
      if (d !== joined && random() >= p) continue;
      const version = [...releases].reverse().find(([, from]) => d >= from + lag)?.[0] ?? "17.0.1";
      let hour = 8;
      const add = (event: string, properties: Record<string, string | boolean>) => {
        hour += random() * 0.5;
        events.push({
          install,
          n,
          event,
          day: days[d] as string,
          timestamp: Math.floor(start + hour * HOUR_MS),
          app_version: version,
          os,
          properties: { cluster_name: cluster, user_name: user, ...properties },
        });
      };
      if (d === joined || random() < 0.4) add("connect.cluster.login", { connector_type: connector });
      if (d === joined && random() < 0.6) {
        add("connect.user.job_role", {
          job_role: pick(random, [
            ["Software Engineer", 40],
            ["DevOps Engineer", 30],
            ["System Administrator", 20],
            ["Other", 0.3],
          ] as const),
        });
      }
      const uses = random() < 0.85 ? 1 + Math.floor(random() * 4) : 0;
      for (let u = 0; u < uses; u++) {
        const properties: Record<string, string> = {
          protocol: pick(random, [
            ["ssh", 50],
            ["db", 20],
            ["kube", 15],
            ["app", 12],
            ["desktop", 0.3],
          ] as const),
        };
        if (random() < 0.7)
          properties.origin = pick(random, [
            ["resource_table", 6],
            ["search_bar", 3],
            ["connection_list", 1],
          ] as const);
        add("connect.protocol.use", properties);
      }
      if (uses > 0 && random() < 0.2) {
        add("connect.accessRequest.create", { kind: random() < 0.7 ? "role" : "resource" });
        if (random() < 0.6) assumeOn = d + Math.floor(random() * 4);
      }
      if (d >= assumeOn && assumeOn >= 0) {
        add("connect.accessRequest.assumeRole", {});
        assumeOn = -1;
      }
      if (random() < 0.1) add("connect.fileTransfer.run", { is_upload: random() < 0.4 });
      if (random() < 0.002) add("connect.connectMyComputer.setup", { success: true });
    }
    // Every event also carries the app's common properties.
    for (const event of events) {
      if (event.n !== n) continue;
      Object.assign(event.properties, { app_version: event.app_version, os, arch });
    }
  }
  return { events, installs, days };
}

/** The population's events as /v1/events batches: each install's events a week at a time. */
export function batchesOf(population: Population): { app: string; events: Record<string, unknown>[] }[] {
  const byInstallWeek = new Map<string, SimEvent[]>();
  for (const event of population.events) {
    const key = `${event.n}:${Math.floor(event.timestamp / (7 * DAY_MS))}`;
    let list = byInstallWeek.get(key);
    if (!list) {
      list = [];
      byInstallWeek.set(key, list);
    }
    list.push(event);
  }
  const random = seeded(7);
  return [...byInstallWeek.values()].map((list) => ({
    app: "teleport-connect",
    events: list.map((event) => ({
      uuid: uuidOf(random),
      event: event.event,
      distinct_id: event.install,
      timestamp: new Date(event.timestamp).toISOString(),
      properties: event.properties,
    })),
  }));
}
