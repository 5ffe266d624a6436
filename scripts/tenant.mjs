#!/usr/bin/env node
// Operator script: tenants and tenant tokens in D1, local (default) or remote (--remote).
//
//   npm run tenant -- create <name> [--plan <plan>]
//   npm run tenant -- token <tenant> [--expires-in-days <n>]   (last line: the token)
//   npm run tenant -- revoke <token id | token prefix | token>
//   npm run tenant -- disable <tenant> | enable <tenant>
//   npm run tenant -- list
//   npm run tenant -- demo        (ensures the "demo" tenant; last line: a new token)
//
// <tenant> is a tenant's name or id. It shells out to `wrangler d1 execute`, which takes no
// bound parameters, so every value placed in SQL is first checked against a strict pattern
// that admits no quote, and numbers must be safe integers. A token is generated here, shown
// once, and only its SHA-256 is written (src/tenants/hash.ts computes the same hash).

import { execFileSync } from "node:child_process";
import { createHash, randomBytes } from "node:crypto";
import { dirname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const DATABASE = "edgehog";
const DAY_MS = 24 * 60 * 60 * 1000;
/** How long a revoked token may still be served by an isolate that cached it (src/tenants/verify.ts). */
const REVOCATION_BOUND_SECONDS = 60;

const TENANT_NAME = /^[a-z0-9][a-z0-9-]{0,62}$/;
const PLAN = /^[a-z0-9][a-z0-9_-]{0,31}$/;
const TENANT_ID = /^tn_[0-9a-f]{20}$/;
const TOKEN_ID = /^tok_[0-9a-f]{16}$/;
const TOKEN = /^ehk_[A-Za-z0-9_-]{43}$/;
const TOKEN_PREFIX = /^ehk_[A-Za-z0-9_-]{8}$/;
const HEX_HASH = /^[0-9a-f]{64}$/;

class UsageError extends Error {}

/** A SQL string literal of a value that must match `pattern` (none of them admits a quote). */
function sqlText(value, pattern) {
  if (typeof value !== "string" || !pattern.test(value))
    throw new UsageError(`refusing unexpected value ${JSON.stringify(value)}`);
  return `'${value}'`;
}

function sqlInt(value) {
  if (value === null) return "NULL";
  if (!Number.isSafeInteger(value)) throw new UsageError(`refusing non-integer ${value}`);
  return String(value);
}

/** Runs one SQL command through wrangler and returns the rows of its last statement. */
function d1(sql, { remote }) {
  let stdout;
  try {
    stdout = execFileSync(
      "npx",
      ["wrangler", "d1", "execute", DATABASE, remote ? "--remote" : "--local", "--json", "--command", sql],
      {
        cwd: ROOT,
        encoding: "utf8",
        stdio: ["ignore", "pipe", "pipe"],
        env: { ...process.env, WRANGLER_SEND_METRICS: "false" },
      },
    );
  } catch (err) {
    const detail = `${err.stdout ?? ""}${err.stderr ?? ""}`.trim();
    throw new Error(
      `wrangler d1 execute failed${detail ? `:\n${detail}` : ""}\n(is the schema applied? npx wrangler d1 execute ${DATABASE} ${remote ? "--remote" : "--local"} --file=schema.sql)`,
    );
  }
  const parsed = JSON.parse(stdout.slice(stdout.indexOf("[")));
  const last = parsed[parsed.length - 1];
  return { rows: last?.results ?? [] };
}

function hashToken(token) {
  return createHash("sha256").update(token, "utf8").digest("hex");
}

function randomHex(bytes) {
  return randomBytes(bytes).toString("hex");
}

function findTenant(ref, options) {
  const where = TENANT_ID.test(ref) ? `id = ${sqlText(ref, TENANT_ID)}` : `name = ${sqlText(ref, TENANT_NAME)}`;
  const [tenant] = d1(`SELECT id, name, plan, disabled FROM tenants WHERE ${where}`, options).rows;
  if (!tenant) throw new UsageError(`no tenant "${ref}" (see: npm run tenant -- list)`);
  return tenant;
}

/** Creates a tenant unless one has the name already; true if it was created. */
function ensureTenant(name, plan, options) {
  const id = `tn_${randomHex(10)}`;
  // wrangler's JSON output carries no row counts, so RETURNING tells whether a row was added.
  const { rows } = d1(
    `INSERT INTO tenants (id, name, plan, disabled, created_at)
     SELECT ${sqlText(id, TENANT_ID)}, ${sqlText(name, TENANT_NAME)}, ${sqlText(plan, PLAN)}, 0, ${sqlInt(Date.now())}
     WHERE NOT EXISTS (SELECT 1 FROM tenants WHERE name = ${sqlText(name, TENANT_NAME)})
     RETURNING id`,
    options,
  );
  return rows.length > 0;
}

/** Issues a token for a tenant; returns it (the only time it exists outside the client). */
function issueToken(tenant, expiresInDays, options) {
  const token = `ehk_${randomBytes(32).toString("base64url")}`;
  const id = `tok_${randomHex(8)}`;
  const now = Date.now();
  const expiresAt = expiresInDays === undefined ? null : now + expiresInDays * DAY_MS;
  d1(
    `INSERT INTO tenant_tokens (id, token_hash, prefix, tenant_id, created_at, expires_at, revoked_at)
     VALUES (${sqlText(id, TOKEN_ID)}, ${sqlText(hashToken(token), HEX_HASH)}, ${sqlText(token.slice(0, 12), TOKEN_PREFIX)},
             ${sqlText(tenant.id, TENANT_ID)}, ${sqlInt(now)}, ${sqlInt(expiresAt)}, NULL)`,
    options,
  );
  return { token, id, prefix: token.slice(0, 12), expiresAt };
}

function printIssued(tenant, issued) {
  const expiry = issued.expiresAt === null ? "never expires" : `expires ${new Date(issued.expiresAt).toISOString()}`;
  console.log(`token ${issued.id} (${issued.prefix}…) for tenant ${tenant.name}, ${expiry}`);
  console.log("It is shown once and only its hash is stored: copy it now.");
  console.log(issued.token);
}

/**
 * Ensures the `demo` tenant exists and issues it a new token, returned as a string. Safe to
 * call on every start: the tenant is created once; each call adds one token.
 */
export function seedDemoTenant({ remote = false } = {}) {
  const options = { remote };
  ensureTenant("demo", "standard", options);
  const tenant = findTenant("demo", options);
  return { tenant, issued: issueToken(tenant, undefined, options) };
}

function revoke(ref, options) {
  let where;
  if (TOKEN_ID.test(ref)) where = `id = ${sqlText(ref, TOKEN_ID)}`;
  else if (TOKEN_PREFIX.test(ref)) where = `prefix = ${sqlText(ref, TOKEN_PREFIX)}`;
  else if (TOKEN.test(ref)) where = `token_hash = ${sqlText(hashToken(ref), HEX_HASH)}`;
  else throw new UsageError("give a token id (tok_…), a token prefix (ehk_ + 8 characters) or the token itself");

  const matches = d1(`SELECT id, prefix, revoked_at FROM tenant_tokens WHERE ${where}`, options).rows;
  if (matches.length === 0) throw new UsageError(`no token matches "${ref}"`);
  if (matches.length > 1)
    throw new UsageError(
      `"${ref}" matches ${matches.length} tokens; revoke by id: ${matches.map((m) => m.id).join(", ")}`,
    );
  const [token] = matches;
  if (token.revoked_at !== null) {
    console.log(`token ${token.id} (${token.prefix}…) was already revoked`);
    return;
  }
  d1(
    `UPDATE tenant_tokens SET revoked_at = ${sqlInt(Date.now())} WHERE id = ${sqlText(token.id, TOKEN_ID)} AND revoked_at IS NULL`,
    options,
  );
  console.log(
    `revoked token ${token.id} (${token.prefix}…); running Workers stop accepting it within ${REVOCATION_BOUND_SECONDS} s`,
  );
}

function list(options) {
  const tenants = d1("SELECT id, name, plan, disabled, created_at FROM tenants ORDER BY name", options).rows;
  const tokens = d1(
    "SELECT id, prefix, tenant_id, created_at, expires_at, revoked_at FROM tenant_tokens ORDER BY tenant_id, created_at",
    options,
  ).rows;
  if (tenants.length === 0) {
    console.log("no tenants yet: npm run tenant -- create <name>");
    return;
  }
  const now = Date.now();
  const iso = (ms) => (ms === null ? "-" : new Date(ms).toISOString().slice(0, 16).replace("T", " "));
  for (const tenant of tenants) {
    console.log(
      `${tenant.name}  ${tenant.id}  plan=${tenant.plan}${tenant.disabled ? "  DISABLED" : ""}  created ${iso(tenant.created_at)}`,
    );
    for (const token of tokens.filter((t) => t.tenant_id === tenant.id)) {
      const state =
        token.revoked_at !== null
          ? `revoked ${iso(token.revoked_at)}`
          : token.expires_at !== null && token.expires_at <= now
            ? "expired"
            : "active";
      console.log(
        `  ${token.id}  ${token.prefix}…  ${state}  created ${iso(token.created_at)}  expires ${iso(token.expires_at)}`,
      );
    }
  }
}

function setDisabled(ref, disabled, options) {
  const tenant = findTenant(ref, options);
  d1(`UPDATE tenants SET disabled = ${disabled ? 1 : 0} WHERE id = ${sqlText(tenant.id, TENANT_ID)}`, options);
  console.log(
    `tenant ${tenant.name} ${disabled ? "disabled" : "enabled"}; running Workers see it within ${REVOCATION_BOUND_SECONDS} s`,
  );
}

const HELP = `usage: npm run tenant -- <command> [--remote]
  create <name> [--plan <plan>]           a tenant (name: lowercase letters, digits, dashes)
  token <tenant> [--expires-in-days <n>]  a new token for a tenant (printed once, last line)
  revoke <token id | prefix | token>      revoke one token
  disable <tenant> | enable <tenant>      refuse (403) or accept a tenant's tokens
  list                                    tenants and their tokens
  demo                                    ensure the "demo" tenant and print a new token
Works on the local D1 (.wrangler/state) unless --remote is given.`;

function main(argv) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      remote: { type: "boolean", default: false },
      plan: { type: "string", default: "standard" },
      "expires-in-days": { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const options = { remote: values.remote };
  const [command, arg, ...rest] = positionals;
  if (values.help || !command) {
    console.log(HELP);
    return;
  }
  const needArg = (what) => {
    if (!arg || rest.length > 0) throw new UsageError(`usage: npm run tenant -- ${command} <${what}>`);
    return arg;
  };
  switch (command) {
    case "create": {
      const name = needArg("name");
      if (!TENANT_NAME.test(name))
        throw new UsageError("a tenant name is 1-63 lowercase letters, digits or dashes, not starting with a dash");
      if (!PLAN.test(values.plan))
        throw new UsageError("a plan is 1-32 lowercase letters, digits, dashes or underscores");
      if (!ensureTenant(name, values.plan, options)) throw new UsageError(`tenant "${name}" exists already`);
      const tenant = findTenant(name, options);
      console.log(`created tenant ${tenant.name} (${tenant.id}, plan ${tenant.plan})`);
      console.log(`next: npm run tenant -- token ${tenant.name}${options.remote ? " --remote" : ""}`);
      return;
    }
    case "token": {
      const tenant = findTenant(needArg("tenant"), options);
      let days;
      if (values["expires-in-days"] !== undefined) {
        days = Number(values["expires-in-days"]);
        if (!Number.isInteger(days) || days < 1 || days > 3650)
          throw new UsageError("--expires-in-days takes a whole number from 1 to 3650");
      }
      if (tenant.disabled)
        console.log(`note: tenant ${tenant.name} is disabled; its tokens answer 403 until it is enabled`);
      printIssued(tenant, issueToken(tenant, days, options));
      return;
    }
    case "revoke":
      revoke(needArg("token id or prefix"), options);
      return;
    case "disable":
    case "enable":
      setDisabled(needArg("tenant"), command === "disable", options);
      return;
    case "list":
      list(options);
      return;
    case "demo": {
      const { tenant, issued } = seedDemoTenant(options);
      printIssued(tenant, issued);
      return;
    }
    default:
      throw new UsageError(`unknown command "${command}"\n${HELP}`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  try {
    main(process.argv.slice(2));
  } catch (err) {
    console.error(err instanceof UsageError || err instanceof TypeError ? err.message : err);
    process.exitCode = 1;
  }
}
