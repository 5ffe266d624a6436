import { describe, expect, it } from "vitest";
import { DAY_MS, utcDay } from "../../src/lib/time";
import type { EventStats } from "../../src/stats/queries";
import { batch, eventually, type IngestResult, protocolUse } from "../helpers/events";
import { operatorGet, postEvents } from "../helpers/harness";
import { archivedWithUuid } from "../helpers/queue";

function stats(query: string): Promise<EventStats> {
  return operatorGet<EventStats>(`/v1/stats/events?${query}`);
}

describe("events flow through the real Queue into D1 aggregates", () => {
  it("counts a 100-event batch once, by event timestamp, with distinct installs", async () => {
    const [d1, d2, d3] = [3, 2, 1].map((ago) => utcDay(Date.now() - ago * DAY_MS));
    const installs = Array.from({ length: 10 }, () => crypto.randomUUID());
    const events = Array.from({ length: 100 }, (_, i) =>
      protocolUse({
        distinct_id: installs[i % 10],
        timestamp: i < 60 ? `${d1}T08:00:00Z` : `${d2}T23:59:59Z`,
        event: i % 4 === 0 ? "connect.accessRequest.review" : "connect.protocol.use",
        properties: i % 4 === 0 ? { protocol: undefined } : {},
      }),
    );
    const res = await postEvents(batch(events));
    expect(res.status).toBe(202);
    expect(((await res.json()) as IngestResult).accepted).toBe(100);

    // Sending the same batch again (a client retry) must change nothing.
    expect((await postEvents(batch(events))).status).toBe(202);

    const result = await eventually(async () => {
      const s = await stats(`app=teleport-connect&from=${d1}&to=${d3}`);
      const total = s.days.reduce((n, d) => n + Object.values(d.events).reduce((a, b) => a + b, 0), 0);
      return total >= 100 ? s : undefined;
    });
    // Give any redelivered or retried message time to land before checking nothing doubled.
    await new Promise((resolve) => setTimeout(resolve, 1500));
    const settled = await stats(`app=teleport-connect&from=${d1}&to=${d3}`);
    expect(settled).toEqual(result);
    expect(settled).toEqual({
      app: "teleport-connect",
      from: d1,
      to: d3,
      days: [
        {
          day: d1,
          events: { "connect.accessRequest.review": 15, "connect.protocol.use": 45 },
          active_installs: 10,
          rejected: {},
        },
        {
          day: d2,
          events: { "connect.accessRequest.review": 10, "connect.protocol.use": 30 },
          active_installs: 10,
          rejected: {},
        },
        { day: d3, events: {}, active_installs: 0, rejected: {} },
      ],
      active_installs: 10,
      active_installs_exact: true,
      dropped_properties: {},
      unknown_events: {},
    });
  });

  it("stores the skew-corrected timestamp and received_at, the country, and never the IP or User-Agent", async () => {
    const event = protocolUse({ timestamp: "2030-01-01T11:59:00Z" });
    const res = await postEvents(batch([event], { sent_at: "2030-01-01T12:00:00Z" }), {
      "cf-connecting-ip": "203.0.113.9",
      "user-agent": "Teleport Connect/17.0.1 (alice-laptop)",
    });
    const before = Date.now();
    expect(res.status).toBe(202);
    const [row] = await eventually(async () => {
      const found = await archivedWithUuid(event.uuid as string);
      return found.length > 0 ? found : undefined;
    });
    const received = Date.parse(row?.received_at ?? "");
    expect(Math.abs(received - before)).toBeLessThan(5000);
    expect(Date.parse(row?.timestamp ?? "")).toBe(received - 60_000);
    expect(row?.country).toBeNull(); // no country from the local runtime's request.cf
    const stored = JSON.stringify(row);
    expect(stored).not.toContain("203.0.113.9");
    expect(stored).not.toContain("alice-laptop");
  });

  it("records the rejections of a batch as visible drops", async () => {
    const res = await postEvents(
      batch([protocolUse(), protocolUse({ properties: { user_name: "bob" } }), protocolUse({ uuid: "nope" })]),
    );
    expect(res.status).toBe(202);
    const today = new Date().toISOString().slice(0, 10);
    const day = await eventually(async () => {
      const s = await stats(`app=teleport-connect&from=${today}&to=${today}`);
      const d = s.days[0];
      return d && Object.keys(d.rejected).length > 0 ? d : undefined;
    });
    expect(day.rejected).toEqual({ not_anonymized: 1, invalid_uuid: 1 });
  });
});
