import { applyD1Migrations } from "cloudflare:test";
import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { type Check, runChecks, secretChecks } from "../../src/doctor/checks";
import { BUILT_MIGRATIONS } from "../../src/doctor/migrations.generated";
import { eventDatabases } from "../../src/lib/event-databases";
import { answerOf, bearer, call } from "../helpers/harness";
import { aggregatesSnapshot, batchMessage, deliver, storedEvent } from "../helpers/queue";
import { uuidv7 } from "../helpers/uuidv7";

/**
 * GET /v1/admin/doctor, the post-deploy check: each binding and secret, against the real local
 * D1, R2, Queues and Durable Objects of the test runtime; and the lookup that tells the doctor
 * its test event was stored.
 */

async function get(path: string, bindings: Env = env, token = env.ADMIN_TOKEN) {
  const { status, body } = await answerOf<Record<string, unknown> & { checks?: Check[] }>(
    call(`/v1/admin${path}`, {}, { headers: bearer(token), ip: "192.0.2.9", bindings }),
  );
  return { status, body };
}

const byName = (checks: Check[], name: string) => checks.find((check) => check.check === name);

describe("GET /v1/admin/doctor", () => {
  it("is an operator route: refused without the operator token", async () => {
    const res = await get("/doctor", env, "not-the-operator-token");
    expect(res.status).toBe(401);
    expect(res.body.error).toBe("unauthorized");
  });

  it("passes every check of a complete deployment: D1 migrated, Queues and R2 bound, every limiter object answering", async () => {
    const res = await get("/doctor");
    expect(res.status).toBe(200);
    expect(res.body.ok).toBe(true);
    expect(res.body.checks?.map((check) => [check.check, check.ok])).toEqual([
      ["D1 DB", true],
      ["Queue EVENTS_QUEUE", true],
      ["Queue FORWARD_QUEUE", true],
      ["Queue WEBHOOK_QUEUE", true],
      ["R2 ARCHIVE", true],
      ["Durable Object RATE_LIMITER", true],
      ["secret ADMIN_TOKEN", true],
      ["secret RATE_LIMIT_SALT_SECRET", true],
      ["secret POSTHOG_API_KEY", true],
      ["secret BILLING_WEBHOOK_SECRET", true],
    ]);
    expect(byName(res.body.checks ?? [], "Durable Object RATE_LIMITER")?.detail).toBe("all 16 objects answer");
  });

  it("knows the migrations the Worker is built with: exactly migrations/", () => {
    expect(BUILT_MIGRATIONS).toEqual(env.TEST_MIGRATIONS.map((migration) => migration.name));
  });

  it("answers 503 naming what fails, and what to do, for each database of EVENT_DATABASES", async () => {
    // SCHEMA_DB stands for a second event database: first never migrated, then one migration short,
    // then one ahead of the Worker.
    const twoDatabases = { ...env, EVENT_DATABASES: "DB,SCHEMA_DB" } as Env;
    const never = await get("/doctor", twoDatabases);
    expect(never.status).toBe(503);
    expect(never.body).toMatchObject({ error: "doctor_found_problems", message: "1 of 11 checks failed", ok: false });
    expect(byName(never.body.checks ?? [], "D1 DB")?.ok).toBe(true);
    expect(byName(never.body.checks ?? [], "D1 SCHEMA_DB")).toEqual({
      check: "D1 SCHEMA_DB",
      ok: false,
      detail: "reachable, but no migration was ever applied: npx wrangler d1 migrations apply edgehog --remote",
    });

    await applyD1Migrations(env.SCHEMA_DB, env.TEST_MIGRATIONS.slice(0, -1));
    const last = BUILT_MIGRATIONS.at(-1);
    const behind = await runChecks(twoDatabases);
    expect(byName(behind, "D1 SCHEMA_DB")?.detail).toBe(
      `lacks ${last}: npx wrangler d1 migrations apply edgehog --remote`,
    );

    await applyD1Migrations(env.SCHEMA_DB, env.TEST_MIGRATIONS);
    await env.SCHEMA_DB.prepare("INSERT INTO d1_migrations (name) VALUES ('9999_from_the_future.sql')").run();
    const ahead = await runChecks(twoDatabases);
    expect(byName(ahead, "D1 SCHEMA_DB")).toMatchObject({ ok: false });
    expect(byName(ahead, "D1 SCHEMA_DB")?.detail).toContain("9999_from_the_future.sql");
  });

  it("fails the bindings that are missing or do not answer", async () => {
    const failing = () => Promise.reject(new Error("object exploded"));
    const namespace = {
      idFromName: (name: string) => env.RATE_LIMITER.idFromName(name),
      get: () => ({ take: failing, refund: failing }),
    } as unknown as Env["RATE_LIMITER"];
    const broken = {
      ...env,
      RATE_LIMITER: namespace,
      ARCHIVE: undefined,
      FORWARD_QUEUE: undefined,
      WEBHOOK_QUEUE: undefined,
    } as unknown as Env;
    const checks = await runChecks(broken);
    expect(checks.filter((check) => !check.ok).map((check) => [check.check, check.detail])).toEqual([
      ["Queue FORWARD_QUEUE", 'not bound: wrangler.toml [[queues.producers]] binding = "FORWARD_QUEUE"'],
      ["Queue WEBHOOK_QUEUE", 'not bound: wrangler.toml [[queues.producers]] binding = "WEBHOOK_QUEUE"'],
      ["R2 ARCHIVE", "not bound: wrangler.toml [[r2_buckets]] binding = ARCHIVE"],
      ["Durable Object RATE_LIMITER", "Error: object exploded"],
    ]);
  });
});

describe("the doctor's secret checks", () => {
  const secrets = (overrides: Partial<Record<string, string | undefined>>) =>
    Object.fromEntries(
      secretChecks({ ...env, ...overrides } as Env).map((check) => [check.check.replace("secret ", ""), check]),
    );

  it("ADMIN_TOKEN passes exactly when it is at least 32 characters and not the local example", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 0, maxLength: 64 }), (token) => {
        const { ADMIN_TOKEN } = secrets({ ADMIN_TOKEN: token });
        expect(ADMIN_TOKEN?.ok).toBe(token.length >= 32);
      }),
      { seed: 20261206, numRuns: 200 },
    );
    expect(secrets({ ADMIN_TOKEN: "edgehog-local-admin-token" }).ADMIN_TOKEN?.detail).toMatch(/local example/);
    expect(secrets({ ADMIN_TOKEN: undefined }).ADMIN_TOKEN).toMatchObject({ ok: false, detail: "not set" });
  });

  it("RATE_LIMIT_SALT_SECRET passes exactly when it has at least 16 characters", () => {
    fc.assert(
      fc.property(fc.string({ minLength: 0, maxLength: 40 }), (salt) => {
        expect(secrets({ RATE_LIMIT_SALT_SECRET: salt }).RATE_LIMIT_SALT_SECRET?.ok).toBe(salt.length >= 16);
      }),
      { seed: 20261206, numRuns: 200 },
    );
    expect(secrets({ RATE_LIMIT_SALT_SECRET: undefined }).RATE_LIMIT_SALT_SECRET?.detail).toMatch(/^not set: /);
  });

  it("POSTHOG_API_KEY is needed only when POSTHOG_HOST is set, and must then be a project key", () => {
    expect(secrets({ POSTHOG_HOST: "", POSTHOG_API_KEY: "" }).POSTHOG_API_KEY?.ok).toBe(true);
    expect(secrets({ POSTHOG_HOST: "https://eu.i.posthog.com", POSTHOG_API_KEY: "" }).POSTHOG_API_KEY).toEqual({
      check: "secret POSTHOG_API_KEY",
      ok: false,
      detail: "POSTHOG_HOST is set but POSTHOG_API_KEY is not: npx wrangler secret put POSTHOG_API_KEY",
    });
    expect(
      secrets({ POSTHOG_HOST: "https://eu.i.posthog.com", POSTHOG_API_KEY: "phc_project" }).POSTHOG_API_KEY,
    ).toMatchObject({ ok: true, detail: "set: forwarding to https://eu.i.posthog.com" });
    const personal = secrets({ POSTHOG_HOST: "https://eu.i.posthog.com", POSTHOG_API_KEY: "phx_personal" });
    expect(personal.POSTHOG_API_KEY?.ok).toBe(false);
    expect(personal.POSTHOG_API_KEY?.detail).toMatch(/personal API key/);
  });

  it("BILLING_WEBHOOK_SECRET is needed once BILLING_WEBHOOK_URL is set, and passes exactly when it is whsec_ and 24 to 64 bytes", () => {
    const url = "https://billing.example/hooks?token=endpoint-own-token";
    const whsec = (bytes: Uint8Array) => `whsec_${btoa(String.fromCharCode(...bytes))}`;
    expect(secrets({ BILLING_WEBHOOK_URL: "", BILLING_WEBHOOK_SECRET: "" }).BILLING_WEBHOOK_SECRET).toMatchObject({
      ok: true,
      detail: expect.stringMatching(/^not needed: /),
    });
    expect(secrets({ BILLING_WEBHOOK_URL: url, BILLING_WEBHOOK_SECRET: "" }).BILLING_WEBHOOK_SECRET).toMatchObject({
      ok: false,
      detail: expect.stringContaining(
        "BILLING_WEBHOOK_URL is set but BILLING_WEBHOOK_SECRET is not: npx wrangler secret put BILLING_WEBHOOK_SECRET",
      ),
    });
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 0, maxLength: 80 }), fc.boolean(), (bytes, withUrl) => {
        const secret = whsec(bytes);
        const check = secrets({
          BILLING_WEBHOOK_URL: withUrl ? url : "",
          BILLING_WEBHOOK_SECRET: secret,
        }).BILLING_WEBHOOK_SECRET;
        expect(check?.ok).toBe(bytes.length >= 24 && bytes.length <= 64);
        // Neither the secret nor the endpoint (whose path may hold a token) is shown.
        if (bytes.length > 0) expect(check?.detail).not.toContain(secret.slice(6));
        expect(check?.detail).not.toContain("endpoint-own-token");
      }),
      { seed: 20261206, numRuns: 200 },
    );
    for (const weak of ["a-plain-password-without-its-prefix-of-any-length", "whsec_not base64!"]) {
      const check = secrets({ BILLING_WEBHOOK_URL: url, BILLING_WEBHOOK_SECRET: weak }).BILLING_WEBHOOK_SECRET;
      expect(check?.ok, weak).toBe(false);
      expect(check?.detail).toMatch(/BILLING_WEBHOOK_SECRET/);
      expect(check?.detail).not.toContain(weak);
    }
    const http = secrets({
      BILLING_WEBHOOK_URL: "http://billing.example/hooks",
      BILLING_WEBHOOK_SECRET: whsec(new Uint8Array(32)),
    });
    expect(http.BILLING_WEBHOOK_SECRET?.ok).toBe(false);
    expect(http.BILLING_WEBHOOK_SECRET?.detail).toMatch(/BILLING_WEBHOOK_URL must be an https URL/);
  });

  it("never shows a secret", async () => {
    const webhookSecret = `whsec_${btoa("thirty-two bytes of a webhook ke")}`;
    const checks = await runChecks({
      ...env,
      POSTHOG_HOST: "https://eu.i.posthog.com",
      POSTHOG_API_KEY: "phc_x",
      BILLING_WEBHOOK_URL: "https://billing.example/hooks",
      BILLING_WEBHOOK_SECRET: webhookSecret,
    });
    expect(byName(checks, "secret BILLING_WEBHOOK_SECRET")?.ok).toBe(true);
    const text = JSON.stringify(checks);
    for (const secret of [env.ADMIN_TOKEN, env.RATE_LIMIT_SALT_SECRET, "phc_x", webhookSecret.slice(6)]) {
      expect(text).not.toContain(secret);
    }
  });
});

describe("GET /v1/admin/doctor/events/{uuid}", () => {
  const sentAt = Date.parse("2026-11-20T10:00:00Z");

  it("says whether an event is stored, in the event database of its install", async () => {
    const sharded = { ...env, EVENT_DATABASES: "DB,EVENTS_DB_2" } as Env;
    // Three installs in each database.
    const { shardOf } = eventDatabases(sharded);
    const installs = { 0: [] as string[], 1: [] as string[] };
    while (installs[0].length < 3 || installs[1].length < 3) {
      const id = crypto.randomUUID();
      const list = installs[shardOf(id) as 0 | 1];
      if (list.length < 3) list.push(id);
    }
    const events = [...installs[0], ...installs[1]].map((id) => storedEvent({ uuid: uuidv7(sentAt), distinct_id: id }));
    const [stored, ...others] = events;
    if (!stored) throw new Error("no event");
    const lookup = (event: typeof stored) =>
      get(`/doctor/events/${event.uuid}?distinct_id=${event.distinct_id}`, sharded);

    expect((await lookup(stored)).body).toEqual({ uuid: stored.uuid, stored: false });
    const result = await deliver([batchMessage(events)], sharded);
    expect(result.explicitAcks).toEqual(result.ids);
    for (const event of [stored, ...others]) {
      expect((await lookup(event)).body, event.distinct_id).toEqual({ uuid: event.uuid, stored: true });
    }
    // Six installs: both databases hold some, and each uuid was found in its install's.
    const shards = await Promise.all(
      [env.DB, env.EVENTS_DB_2].map(async (db) => (await aggregatesSnapshot(db)).dedupeKeys),
    );
    expect(shards.reduce((a, b) => a + b)).toBe(6);
  });

  it("answers 400 for a uuid that carries no time (not version 7) or a malformed install id", async () => {
    const v4 = await get(`/doctor/events/${crypto.randomUUID()}?distinct_id=${crypto.randomUUID()}`);
    expect(v4).toEqual({
      status: 400,
      body: { error: "invalid_uuid", message: "uuid: the doctor looks events up by a random version 7 uuid" },
    });
    const install = await get(`/doctor/events/${uuidv7()}?distinct_id=alice@example.com`);
    expect(install.status).toBe(400);
    expect(install.body.error).toBe("invalid_query");
    expect((await get(`/doctor/events/${uuidv7()}`)).body.error).toBe("invalid_query");
  });
});
