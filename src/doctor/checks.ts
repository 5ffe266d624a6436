import { adminTokenWeakness, MIN_ADMIN_TOKEN_LENGTH } from "../admin/require-admin";
import { webhookConfigOf } from "../billing/webhooks/config";
import { forwardingState } from "../forward/config";
import { eventDatabases } from "../lib/event-databases";
import { MIN_SALT_SECRET_LENGTH, rateLimitsOf } from "../ratelimit/config";
import { errorText, withTimeout } from "../ratelimit/decisions";
import { shardName } from "../ratelimit/shards";
import { BUILT_MIGRATIONS } from "./migrations.generated";

/**
 * What a deployment needs before it takes traffic, checked from inside the Worker, where the
 * bindings are (`npm run doctor` reads it after a deploy): every event database reachable and
 * migrated exactly as far as this Worker was built for, the Queues and the archive bucket bound,
 * every rate-limiter object answering, and the secrets present and strong enough. A check
 * never changes anything and never shows a secret, only whether it is fit for use.
 */
export interface Check {
  /** What was checked: a binding or a secret (`D1 DB`, `secret ADMIN_TOKEN`). */
  check: string;
  ok: boolean;
  /** What was found, and on failure what to do about it. */
  detail: string;
}

/** wrangler records the migrations it applied in this table (wrangler.toml sets no other). */
const MIGRATIONS_TABLE = "d1_migrations";
/** How long every rate-limiter object together may take to answer. */
const OBJECTS_TIMEOUT_MS = 5000;

const APPLY = "npx wrangler d1 migrations apply edgehog --remote";

/** Each event database: reachable, and its applied migrations exactly BUILT_MIGRATIONS. */
async function databaseChecks(env: Env): Promise<Check[]> {
  let databases: readonly { name: string; db: D1Database }[];
  try {
    const { all, names } = eventDatabases(env);
    databases = all.map((db, i) => ({ name: names[i] ?? `#${i}`, db }));
  } catch (err) {
    return [{ check: "D1", ok: false, detail: errorText(err) }];
  }
  return Promise.all(
    databases.map(async ({ name, db }): Promise<Check> => {
      const check = `D1 ${name}`;
      let applied: string[];
      try {
        const rows = await db.prepare(`SELECT name FROM ${MIGRATIONS_TABLE} ORDER BY id`).all<{ name: string }>();
        applied = rows.results.map((row) => row.name);
      } catch (err) {
        const text = errorText(err);
        return text.includes("no such table")
          ? { check, ok: false, detail: `reachable, but no migration was ever applied: ${APPLY}` }
          : { check, ok: false, detail: `not reachable: ${text}` };
      }
      const missing = BUILT_MIGRATIONS.filter((migration) => !applied.includes(migration));
      const unknown = applied.filter((migration) => !BUILT_MIGRATIONS.includes(migration));
      if (missing.length > 0) {
        return { check, ok: false, detail: `lacks ${missing.join(", ")}: ${APPLY}` };
      }
      if (unknown.length > 0) {
        return {
          check,
          ok: false,
          detail: `has migrations this Worker was not built with (${unknown.join(", ")}): deploy the code they belong to`,
        };
      }
      return { check, ok: true, detail: `reachable, all ${BUILT_MIGRATIONS.length} migrations applied` };
    }),
  );
}

function queueCheck(name: string, queue: Queue | undefined): Check {
  const bound = typeof queue?.send === "function" && typeof queue.sendBatch === "function";
  return {
    check: `Queue ${name}`,
    ok: bound,
    detail: bound ? "bound" : `not bound: wrangler.toml [[queues.producers]] binding = "${name}"`,
  };
}

async function archiveCheck(env: Env): Promise<Check> {
  const check = "R2 ARCHIVE";
  if (typeof env.ARCHIVE?.head !== "function") {
    return { check, ok: false, detail: "not bound: wrangler.toml [[r2_buckets]] binding = ARCHIVE" };
  }
  try {
    await env.ARCHIVE.head("doctor/absent");
    return { check, ok: true, detail: "bound and answering" };
  } catch (err) {
    return { check, ok: false, detail: `bound, but failing: ${errorText(err)}` };
  }
}

/** Every object the buckets are spread over answers a take of nothing (which changes nothing). */
async function limiterCheck(env: Env): Promise<Check> {
  const check = "Durable Object RATE_LIMITER";
  try {
    const { shards } = rateLimitsOf(env);
    const namespace = env.RATE_LIMITER;
    const nowMs = Date.now();
    const calls = Array.from({ length: shards }, (_, i) =>
      namespace.get(namespace.idFromName(shardName(i))).take({ nowMs, charges: [] }),
    );
    await withTimeout(Promise.all(calls), OBJECTS_TIMEOUT_MS);
    return { check, ok: true, detail: `all ${shards} objects answer` };
  } catch (err) {
    return { check, ok: false, detail: errorText(err) };
  }
}

/**
 * BILLING_WEBHOOK_SECRET, as billing's webhooks read it: needed once BILLING_WEBHOOK_URL is set
 * (nothing is sent unsigned), and then `whsec_` and 24 to 64 random bytes; a secret set without
 * a URL must be as strong, since it signs the tenants' own endpoints. Never the value, nor the
 * URL (an endpoint's path may hold a token of its own).
 */
function webhookSecretCheck(env: Env): Check {
  const check = "secret BILLING_WEBHOOK_SECRET";
  let secret: Uint8Array | null;
  let url: string | null;
  try {
    ({ secret, url } = webhookConfigOf(env));
  } catch (err) {
    return { check, ok: false, detail: errorText(err) };
  }
  if (secret === null) {
    return { check, ok: true, detail: "not needed: billing webhooks are off (BILLING_WEBHOOK_URL is empty)" };
  }
  const signs = url === null ? "tenants' own endpoints" : "the deployment's endpoint and tenants' own";
  return { check, ok: true, detail: `set, ${secret.length} bytes: signs ${signs}` };
}

/** The secrets: present, and strong enough for a deployment (their values never leave this function). */
export function secretChecks(env: Env): Check[] {
  const weakness = env.ADMIN_TOKEN ? adminTokenWeakness(env.ADMIN_TOKEN) : "not set";
  const salt = env.RATE_LIMIT_SALT_SECRET ?? "";
  const forwarding = forwardingState(env);
  const host = (env.POSTHOG_HOST ?? "").trim();
  return [
    {
      check: "secret ADMIN_TOKEN",
      ok: weakness === undefined,
      detail: weakness ?? `set, at least ${MIN_ADMIN_TOKEN_LENGTH} characters, not the local example`,
    },
    salt.length >= MIN_SALT_SECRET_LENGTH
      ? {
          check: "secret RATE_LIMIT_SALT_SECRET",
          ok: true,
          detail: `set, at least ${MIN_SALT_SECRET_LENGTH} characters`,
        }
      : {
          check: "secret RATE_LIMIT_SALT_SECRET",
          ok: false,
          detail: `${salt ? `shorter than ${MIN_SALT_SECRET_LENGTH} characters` : "not set"}: npx wrangler secret put RATE_LIMIT_SALT_SECRET (e.g. openssl rand -base64 32)`,
        },
    host === ""
      ? { check: "secret POSTHOG_API_KEY", ok: true, detail: "not needed: forwarding is off (POSTHOG_HOST is empty)" }
      : forwarding.enabled
        ? { check: "secret POSTHOG_API_KEY", ok: true, detail: `set: forwarding to ${forwarding.upstream}` }
        : {
            check: "secret POSTHOG_API_KEY",
            ok: false,
            detail:
              forwarding.misconfigured ??
              "POSTHOG_HOST is set but POSTHOG_API_KEY is not: npx wrangler secret put POSTHOG_API_KEY",
          },
    webhookSecretCheck(env),
  ];
}

/** Every check, in the order an operator reads them. */
export async function runChecks(env: Env): Promise<Check[]> {
  const [databases, archive, limiter] = await Promise.all([databaseChecks(env), archiveCheck(env), limiterCheck(env)]);
  return [
    ...databases,
    queueCheck("EVENTS_QUEUE", env.EVENTS_QUEUE),
    queueCheck("FORWARD_QUEUE", env.FORWARD_QUEUE),
    queueCheck("WEBHOOK_QUEUE", env.WEBHOOK_QUEUE),
    archive,
    limiter,
    ...secretChecks(env),
  ];
}
