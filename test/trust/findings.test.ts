import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { LOCAL_EXAMPLE_ADMIN_TOKEN } from "../../src/admin/require-admin";
import { DROPPED_NAMES_PER_APP_DAY, VERSIONS_PER_APP_DAY } from "../../src/aggregate/statements";
import { nextMonth } from "../../src/billing/months";
import { toBase64 } from "../../src/lib/bytes";
import { clientNetwork } from "../../src/ratelimit/client-key";
import { batch, eventually, type IngestResult, protocolUse } from "../helpers/events";
import { bearer, get, ORIGIN, postEvents, postUsage, rows } from "../helpers/harness";
import { archivedWithUuid, batchMessage, dedupeKeysOf, deliver } from "../helpers/queue";
import { userActivityReport } from "../helpers/reports";
import { tenantWithToken } from "../helpers/tenants";

/**
 * The trust boundary, finding by finding: each test sends what an attacker or a careless
 * client would, over the Worker's own fetch, and checks what is answered and what is stored.
 */

const today = () => new Date().toISOString().slice(0, 10);

/** Times an event was stored: in the dedupe index, and archived. */
async function countedEvents(uuid: string): Promise<number> {
  const [keys, archived] = await Promise.all([dedupeKeysOf(uuid), archivedWithUuid(uuid)]);
  return keys === archived.length ? keys : -1;
}

/** POST /v1/events with other vars, as a deployment with them would answer. */
function postWith(vars: Partial<Env>, body: string, ip: string) {
  // Clients send the length; a body without one is charged as the largest allowed.
  const length = String(new TextEncoder().encode(body).length);
  return postEvents(body, { "content-length": length }, { ip, bindings: vars });
}

describe("the trust boundary", () => {
  it("1. property names from Object.prototype are names like any other: acknowledged and counted as (other)", async () => {
    const event = protocolUse({ app_version: "17.0.1" });
    // Written as JSON text: "__proto__" must arrive as a key, as an attacker would send it.
    const body = JSON.stringify(batch([event])).replace(
      '"protocol":"ssh"',
      '"protocol":"ssh","constructor":1,"toString":"x","valueOf":true,"hasOwnProperty":2,"__proto__":{"polluted":1}',
    );
    const res = await postEvents(body);
    expect(res.status).toBe(202);
    const result = (await res.json()) as IngestResult;
    expect(result.dropped_properties).toEqual({
      "connect.protocol.use": { "(other)": 5 },
    });
    await eventually(async () => ((await countedEvents(event.uuid as string)) === 1 ? true : undefined));
    expect(await rows("SELECT * FROM parked_messages")).toEqual([]);
    expect(({} as Record<string, unknown>).polluted).toBeUndefined();
  });

  it("2. a body nested 100,000 levels deep is a 400, never a 500", async () => {
    const deep = `${"[".repeat(100_000)}${"]".repeat(100_000)}`;
    const events = await postEvents(`{"app":"teleport-connect","events":[{"uuid":"x","properties":${deep}}]}`);
    expect(events.status).toBe(400);
    expect(await events.json()).toMatchObject({ rejected: [expect.objectContaining({ error: "invalid_event" })] });
    const { issued } = await tenantWithToken(`deep-${crypto.randomUUID().slice(0, 8)}`);
    const usage = await postUsage(`{"reports":[{"kind":"user_activity","records":${deep}}]}`, bearer(issued.token));
    expect(usage.status).toBe(400);
  });

  it("3. readable text shaped like a digest is refused as not anonymized", async () => {
    const fake = toBase64(new TextEncoder().encode("alice@example.com".padEnd(32, " ")));
    const res = await postEvents(batch([protocolUse({ properties: { user_name: fake } })]));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ rejected: [{ error: "not_anonymized", field: "properties.user_name" }] });
  });

  it("4. ids that embed a MAC address, nil ids and upper-case twins: refused, or counted once", async () => {
    const v1 = "6ba7b810-9dad-11d1-80b4-00c04fd430c8";
    const res = await postEvents(
      batch([
        protocolUse({ uuid: v1 }),
        protocolUse({ distinct_id: v1 }),
        protocolUse({ distinct_id: "00000000-0000-0000-0000-000000000000" }),
      ]),
    );
    expect(((await res.json()) as IngestResult).rejected.map((r) => r.error)).toEqual([
      "invalid_uuid",
      "invalid_distinct_id",
      "invalid_distinct_id",
    ]);
    const install = crypto.randomUUID();
    const event = protocolUse({ distinct_id: install.toUpperCase() });
    const twin = { ...event, uuid: (event.uuid as string).toUpperCase(), distinct_id: install };
    const both = (await (await postEvents(batch([event, twin]))).json()) as IngestResult;
    expect(both).toMatchObject({ accepted: 1, duplicates: 1 });
    await eventually(async () => ((await countedEvents(event.uuid as string)) === 1 ? true : undefined));
    expect((await archivedWithUuid(event.uuid as string)).map((stored) => stored.distinct_id)).toEqual([install]);
  });

  it("5. host names and addresses never become versions, property names or free text", async () => {
    const res = await postEvents(
      batch([
        protocolUse({ properties: { app_version: "6.5.0+alice-laptop.corp.example.com" } }),
        protocolUse({ properties: { os_version: "10.0.0.1" } }),
        {
          ...protocolUse(),
          event: "connect.user.job_role",
          properties: { job_role: "alice＠example．com" },
        },
      ]),
    );
    const answer = (await res.json()) as IngestResult;
    expect(answer.rejected.map((r) => r.error)).toEqual(["invalid_property", "invalid_property"]);
    // A typed job role is never stored as typed: it is stored as Other.
    expect(answer.reduced_properties).toEqual({ "connect.user.job_role": { job_role: 1 } });
    const named = protocolUse();
    const body = JSON.stringify(batch([named])).replace(
      '"protocol":"ssh"',
      '"protocol":"ssh","10.0.0.1":1,"alice@example.com":2,"alice_smith":3,"jdoe":4',
    );
    expect(((await (await postEvents(body)).json()) as IngestResult).dropped_properties).toEqual({
      "connect.protocol.use": { "(other)": 4 },
    });
  });

  it("6. one client cannot grow the aggregates without bound: versions and dropped names are capped per app and day", async () => {
    const app = "teleport-connect";
    const events = Array.from({ length: 3 * VERSIONS_PER_APP_DAY }, (_, i) =>
      protocolUse({ properties: { app_version: `1.${i}.0` } }),
    );
    for (let i = 0; i < events.length; i += 100) {
      expect((await postEvents(batch(events.slice(i, i + 100)))).status).toBe(202);
    }
    // Through ingest every unknown name is (other); a queued message may still carry many names
    // (one written by an earlier collector), and the consumer caps them per app and day.
    const names = Array.from(
      { length: 4 * DROPPED_NAMES_PER_APP_DAY },
      (_, i) => `junk_${i}_${crypto.randomUUID().slice(0, 6)}`,
    );
    const received = Date.parse(`${today()}T00:00:00Z`);
    for (let i = 0; i < names.length; i += 40) {
      const dropped = Object.fromEntries(names.slice(i, i + 40).map((name) => [name, 1]));
      await deliver([
        batchMessage([], { received_at: received, dropped_properties: { "connect.protocol.use": dropped } }),
      ]);
    }
    const day = today();
    const counted = async () =>
      (
        await rows<{ n: number }>(
          "SELECT COALESCE(SUM(count), 0) AS n FROM daily_event_counts WHERE app = ?1 AND day = ?2",
          app,
          day,
        )
      )[0]?.n ?? 0;
    await eventually(async () => ((await counted()) >= events.length ? true : undefined), 20_000);
    const versions = await rows<{ app_version: string }>(
      "SELECT DISTINCT app_version FROM daily_event_counts WHERE app = ?1 AND day = ?2",
      app,
      day,
    );
    expect(versions.length).toBeLessThan(2 * VERSIONS_PER_APP_DAY + 2);
    expect(versions.map((v) => v.app_version)).toContain("(other)");
    await eventually(async () => {
      const [row] = await rows<{ n: number }>(
        "SELECT COALESCE(SUM(count), 0) AS n FROM daily_dropped_properties WHERE app = ?1 AND day = ?2",
        app,
        day,
      );
      return (row?.n ?? 0) >= names.length ? true : undefined;
    }, 20_000);
    const [distinctNames] = await rows<{ n: number }>(
      "SELECT COUNT(DISTINCT property) AS n FROM daily_dropped_properties WHERE app = ?1 AND day = ?2",
      app,
      day,
    );
    expect(distinctNames?.n).toBeLessThan(2 * DROPPED_NAMES_PER_APP_DAY + 2);
  });

  it("7. reports and events from years ago are refused, and months keep four-digit years", async () => {
    const { issued } = await tenantWithToken(`ancient-${crypto.randomUUID().slice(0, 8)}`);
    const report = await userActivityReport({ start: "0005-01-01T00:00:00Z", users: ["a"] });
    const res = await postUsage({ reports: [report] }, bearer(issued.token));
    expect(await res.json()).toMatchObject({ rejected: [{ error: "too_old", field: "start_time" }] });
    const old = await postEvents(batch([protocolUse({ timestamp: "2021-03-04T05:06:07Z" })]));
    expect(await old.json()).toMatchObject({ rejected: [{ error: "too_old", field: "timestamp" }] });
    expect(nextMonth("0005-12")).toBe("0006-01");
    expect(nextMonth("0999-12")).toBe("1000-01");
  });

  it("8. garbage is not free: invalid bodies use up the client's allowance before they are parsed", async () => {
    const vars = { RATE_LIMIT_CLIENT_CAPACITY: "20", RATE_LIMIT_CLIENT_PER_SECOND: "0.01" };
    // Two clients of their own: random addresses (storage is per file, not per test), never the same one.
    const first = Math.floor(Math.random() * 125) + 1;
    const ip = `198.51.100.${first}`;
    const statuses: number[] = [];
    for (let i = 0; i < 25; i++) statuses.push((await postWith(vars, "{ not json", ip)).status);
    expect(statuses.slice(0, 20).every((s) => s === 400)).toBe(true);
    expect(statuses.slice(20)).toEqual([429, 429, 429, 429, 429]);
    // A large body costs more than a small one: 64 KiB is 9 units.
    const big = JSON.stringify({ app: "teleport-connect", events: [], pad: "x".repeat(64 * 1024) });
    const other = `198.51.100.${first + 125}`;
    const bigStatuses: number[] = [];
    for (let i = 0; i < 3; i++) bigStatuses.push((await postWith(vars, big, other)).status);
    expect(bigStatuses).toEqual([400, 400, 429]);
  });

  it("9. IPv6 clients are one client per /64", () => {
    expect(clientNetwork("2001:db8:1:2:aaaa::1")).toBe(clientNetwork("2001:0db8:0001:0002:ffff:1:2:3"));
    expect(clientNetwork("2001:db8:1:2::1")).not.toBe(clientNetwork("2001:db8:1:3::1"));
    expect(clientNetwork("::ffff:203.0.113.7")).toBe("203.0.113.7");
    expect(clientNetwork("203.0.113.7")).toBe("203.0.113.7");
  });

  it("12. a weak ADMIN_TOKEN disables the operator API off loopback, and failed attempts are limited", async () => {
    expect(env.TEST_DEV_VARS_EXAMPLE.match(/^ADMIN_TOKEN=(.*)$/m)?.[1]).toBe(LOCAL_EXAMPLE_ADMIN_TOKEN);
    const health = (url: string, token: string, bindings: Partial<Env> = {}) =>
      get(`${url}/v1/stats/health`, { headers: bearer(token), ip: "198.51.100.200", bindings });
    for (const weak of ["short-token", "edgehog-local-admin-token"]) {
      const res = await health("http://edgehog.example", weak, { ADMIN_TOKEN: weak });
      expect(res.status).toBe(503);
      expect(await res.json()).toMatchObject({ error: "operator_api_disabled" });
      const local = await health("http://127.0.0.1:8787", weak, { ADMIN_TOKEN: weak });
      expect(local.status).toBe(200);
    }
    const statuses: number[] = [];
    for (let i = 0; i < 12; i++) statuses.push((await health(ORIGIN, `wrong-${i}`)).status);
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(401));
    expect(statuses.slice(10)).toEqual([429, 429]);
    const valid = await health(ORIGIN, env.ADMIN_TOKEN);
    expect(valid.status).toBe(200);
  });
});
