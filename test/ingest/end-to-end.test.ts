import { env, exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { DAY_MS, utcDay } from "../../src/lib/time";
import type { EventStats } from "../../src/stats/queries";
import { batch, eventually, type IngestResult, postEvents, protocolUse } from "../helpers/events";

const admin = { authorization: "Bearer test-operator-token-of-32-characters-or-more" };

async function stats(query: string): Promise<EventStats> {
  const res = await exports.default.fetch(`http://edgehog.test/v1/stats/events?${query}`, { headers: admin });
  expect(res.status).toBe(200);
  return (await res.json()) as EventStats;
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
      dropped_properties: {},
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
    const row = await eventually(() =>
      env.DB.prepare("SELECT * FROM events WHERE uuid = ?")
        .bind(event.uuid)
        .first()
        .then((r) => r ?? undefined),
    );
    const received = Number(row.received_at);
    expect(Math.abs(received - before)).toBeLessThan(5000);
    expect(Number(row.timestamp)).toBe(received - 60_000);
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

describe("GET /v1/stats/events", () => {
  it.each([
    ["no token", {}],
    ["a wrong token", { authorization: "Bearer wrong" }],
    ["a malformed header", { authorization: "test-operator-token-of-32-characters-or-more" }],
  ])("answers 401 with %s", async (_, headers) => {
    const res = await exports.default.fetch(
      "http://edgehog.test/v1/stats/events?app=teleport-connect&from=2026-10-01&to=2026-10-02",
      { headers },
    );
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: "unauthorized" });
  });

  it.each([
    ["a missing app", "from=2026-10-01&to=2026-10-02"],
    ["a malformed date", "app=teleport-connect&from=2026-13-01&to=2026-10-02"],
    ["from after to", "app=teleport-connect&from=2026-10-03&to=2026-10-02"],
    ["a range over 366 days", "app=teleport-connect&from=2024-01-01&to=2026-10-02"],
  ])("answers 400 for %s", async (_, query) => {
    const res = await exports.default.fetch(`http://edgehog.test/v1/stats/events?${query}`, { headers: admin });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: "invalid_query" });
  });

  it("zero-fills days without data", async () => {
    const s = await stats("app=teleport-connect&from=2020-02-28&to=2020-03-01");
    expect(s.days.map((d) => d.day)).toEqual(["2020-02-28", "2020-02-29", "2020-03-01"]);
    expect(s.active_installs).toBe(0);
  });
});
