import { describe, expect, it } from "vitest";
import { bearer, postUsage, randomIp } from "../helpers/harness";
import { userActivityReport } from "../helpers/reports";
import { tenantWithToken } from "../helpers/tenants";

describe("rate limits on the tenant routes", () => {
  it("answers 429 to a client after 10 failed token attempts, but never refuses a valid token for them", async () => {
    const ip = randomIp();
    const { issued } = await tenantWithToken(`guesser-${crypto.randomUUID().slice(0, 8)}`);
    const report = await userActivityReport({
      start: new Date(Date.now() - 20 * 60_000).toISOString(),
      users: ["alice"],
    });
    const statuses: number[] = [];
    for (let i = 0; i < 11; i++) {
      const res = await postUsage({ reports: [report] }, { ...bearer(`ehk_wrong${i}`), "cf-connecting-ip": ip });
      statuses.push(res.status);
    }
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses[10]).toBe(429);

    const guess = await postUsage({ reports: [report] }, { ...bearer("ehk_wrong-again"), "cf-connecting-ip": ip });
    expect(guess.status).toBe(429);
    expect(guess.headers.get("retry-after")).toMatch(/^\d+$/);
    expect(await guess.json()).toMatchObject({ error: "rate_limited", limit: "auth_failures" });

    // A tenant behind the same address (a NAT) with a valid token is not locked out.
    const sameAddress = await postUsage({ reports: [report] }, { ...bearer(issued.token), "cf-connecting-ip": ip });
    expect(sameAddress.status).toBe(202);

    // Another client with the valid token is unaffected.
    const other = await postUsage({ reports: [report] }, { ...bearer(issued.token), "cf-connecting-ip": randomIp() });
    expect(other.status).toBe(202);
  });
});
