import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { utcDay } from "../../src/lib/time";
import { flushRefusals } from "../../src/ratelimit/refusals";
import { eventsBody } from "../helpers/events";
import { operatorGet, post, randomIp } from "../helpers/harness";

/**
 * Every request refused with 429 is counted per limit and day, durably: the health document
 * (and page) shows every isolate's refusals, not only the answering isolate's counters.
 */

interface Health {
  refused_by_limit: { day: string; limits: Record<string, number> }[];
}

const refusedToday = async (limit: string) =>
  (await operatorGet<Health>("/v1/stats/health")).refused_by_limit.find((d) => d.day === utcDay(Date.now()))?.limits[
    limit
  ] ?? 0;

describe("requests refused with 429", () => {
  it("are counted per limit and day in D1, whichever isolate refused them", async () => {
    await flushRefusals(env.DB, Date.now(), true);
    const before = await refusedToday("install");
    const install = crypto.randomUUID();
    const bindings = { RATE_LIMIT_INSTALL_CAPACITY: "20", RATE_LIMIT_INSTALL_PER_SECOND: "0.001" } as Partial<Env>;
    const statuses: number[] = [];
    for (let i = 0; i < 6; i++) {
      const res = await post("/v1/events", eventsBody(install, 5), { ip: randomIp(), bindings });
      statuses.push(res.status);
    }
    const refused = statuses.filter((status) => status === 429).length;
    expect(refused).toBeGreaterThan(0);
    await flushRefusals(env.DB, Date.now(), true);
    expect(await refusedToday("install")).toBe(before + refused);
  });
});
