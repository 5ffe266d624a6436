import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { EventStats } from "../../src/stats/queries";
import { get, operator, operatorGet } from "../helpers/harness";

/** GET /v1/stats/events: who may ask, which queries it refuses, and days without data. */

describe("GET /v1/stats/events", () => {
  it.each([
    ["no token", {}],
    ["a wrong token", { authorization: "Bearer wrong" }],
    ["a malformed header", { authorization: env.ADMIN_TOKEN }],
  ])("answers 401 with %s", async (_, headers) => {
    const res = await get("/v1/stats/events?app=teleport-connect&from=2026-10-01&to=2026-10-02", { headers });
    expect(res.status).toBe(401);
    expect(await res.json()).toMatchObject({ error: "unauthorized" });
  });

  it.each([
    ["a missing app", "from=2026-10-01&to=2026-10-02"],
    ["a malformed date", "app=teleport-connect&from=2026-13-01&to=2026-10-02"],
    ["from after to", "app=teleport-connect&from=2026-10-03&to=2026-10-02"],
    ["a range over 366 days", "app=teleport-connect&from=2024-01-01&to=2026-10-02"],
  ])("answers 400 for %s", async (_, query) => {
    const res = await get(`/v1/stats/events?${query}`, { headers: operator() });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: "invalid_query" });
  });

  it("zero-fills days without data", async () => {
    const s = await operatorGet<EventStats>("/v1/stats/events?app=teleport-connect&from=2020-02-28&to=2020-03-01");
    expect(s.days.map((d) => d.day)).toEqual(["2020-02-28", "2020-02-29", "2020-03-01"]);
    expect(s.active_installs).toBe(0);
  });
});
