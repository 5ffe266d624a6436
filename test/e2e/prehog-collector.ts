import type { Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-web";
import { expect } from "vitest";
import type { RunningCollector } from "./wrangler-dev";

/**
 * What the prehog end-to-end suites do with the collector under `wrangler dev`: a real client
 * transport per wire format, the operator's view of the event counts (polled until the Queue
 * consumer has stored what was sent), and a tenant with a token.
 */

const DAY_MS = 86_400_000;
export const FORMATS = ["connect+proto", "connect+json", "grpc-web+proto", "grpc-web+json"] as const;
export type Format = (typeof FORMATS)[number];

/** A UTC day a few days back, its own for each test, so their counts do not mix. */
export function daysAgo(n: number): { day: string; at: number } {
  const at = Date.now() - n * DAY_MS;
  return {
    day: new Date(at).toISOString().slice(0, 10),
    at: Date.parse(`${new Date(at).toISOString().slice(0, 10)}T12:00:00Z`),
  };
}

/** `@connectrpc/connect-web`'s Connect and gRPC-Web transports, binary and JSON, over Node's fetch. */
export function transportsFor(baseUrl: string): Record<Format, Transport> {
  return Object.fromEntries(
    FORMATS.map((format) => {
      const options = { baseUrl, useBinaryFormat: format.endsWith("proto") };
      const transport = format.startsWith("connect")
        ? createConnectTransport(options)
        : createGrpcWebTransport(options);
      return [format, transport];
    }),
  ) as Record<Format, Transport>;
}

export function adminHeaders(collector: RunningCollector): Record<string, string> {
  return { authorization: `Bearer ${collector.adminToken}`, "content-type": "application/json" };
}

export interface EventStats {
  events: Record<string, number>;
  active_installs: number;
}

/** One day's event counts and active installs of an app, from GET /v1/stats/events. */
export async function eventStats(
  collector: RunningCollector,
  day: string,
  app = "teleport-connect",
): Promise<EventStats> {
  const res = await fetch(`${collector.url}/v1/stats/events?app=${app}&from=${day}&to=${day}`, {
    headers: adminHeaders(collector),
  });
  const body = (await res.json()) as { days: EventStats[] };
  return body.days[0] ?? { events: {}, active_installs: 0 };
}

/** Polls the stats until `done` holds (the Queue consumer is asynchronous). */
export async function eventsOnceCounted(
  collector: RunningCollector,
  day: string,
  done: (s: EventStats) => boolean,
  app = "teleport-connect",
): Promise<EventStats> {
  const deadline = Date.now() + 20_000;
  for (;;) {
    const s = await eventStats(collector, day, app);
    if (done(s)) return s;
    if (Date.now() > deadline) throw new Error(`stats for ${day} never matched: ${JSON.stringify(s)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/** A new tenant `name` with one token, through the operator API. */
export async function newTenantToken(collector: RunningCollector, name: string): Promise<string> {
  const created = await fetch(`${collector.url}/v1/admin/tenants`, {
    method: "POST",
    headers: adminHeaders(collector),
    body: JSON.stringify({ name }),
  });
  expect(created.status, await created.clone().text()).toBe(201);
  const res = await fetch(`${collector.url}/v1/admin/tenants/${name}/tokens`, {
    method: "POST",
    headers: adminHeaders(collector),
    body: "{}",
  });
  expect(res.status, await res.clone().text()).toBe(201);
  return ((await res.json()) as { token: string }).token;
}
