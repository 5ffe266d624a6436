#!/usr/bin/env node
// Operator script: tenants and tenant tokens, through the operator API of a running collector
// (src/tenants/admin-routes.ts). Local (`npm start`) by default, any deployment with --url.
//
//   npm run tenant -- create <name> [--plan <plan>] [--term-start YYYY-MM-DD] [--term-months <n>]
//   npm run tenant -- term <tenant> [--start YYYY-MM-DD] [--months <n>]   (the subscription term)
//   npm run tenant -- token <tenant> [--expires-in-days <n>]   (last line: the token)
//   npm run tenant -- revoke <token id | token prefix | token>
//   npm run tenant -- disable <tenant> | enable <tenant>
//   npm run tenant -- list
//   npm run tenant -- backfill <tenant> <file>   (usage reports older than the tenant may send)
//   npm run tenant -- demo        (ensures the "demo" tenant; last line: a new token)
//
// <tenant> is a tenant's name or id. The operator token comes from EDGEHOG_ADMIN_TOKEN, or,
// for a local collector, from ADMIN_TOKEN in .dev.vars.

import { existsSync, readFileSync } from "node:fs";
import { dirname, resolve } from "node:path";
import { fileURLToPath, pathToFileURL } from "node:url";
import { parseArgs } from "node:util";
import { backfill, printBackfill, reportsIn } from "./usage-backfill.mjs";

const ROOT = resolve(dirname(fileURLToPath(import.meta.url)), "..");
const LOCAL_URL = `http://127.0.0.1:${process.env.PORT ?? "8787"}`;

class UsageError extends Error {}

/** The operator token: EDGEHOG_ADMIN_TOKEN, else .dev.vars's ADMIN_TOKEN for a local collector. */
export function adminTokenFor(url) {
  if (process.env.EDGEHOG_ADMIN_TOKEN) return process.env.EDGEHOG_ADMIN_TOKEN;
  const local = ["127.0.0.1", "localhost", "[::1]"].includes(new URL(url).hostname);
  const devVars = resolve(ROOT, ".dev.vars");
  if (local && existsSync(devVars)) {
    const match = readFileSync(devVars, "utf8").match(/^ADMIN_TOKEN=(.*)$/m);
    if (match?.[1]) return match[1].trim();
  }
  throw new UsageError(`set EDGEHOG_ADMIN_TOKEN to the operator token of ${url}`);
}

/** A client of the operator API: `call(method, path, body?)` resolves the JSON answer or throws its message. */
export function operatorApi(url, adminToken) {
  return async (method, path, body) => {
    let res;
    try {
      res = await fetch(new URL(`/v1/admin${path}`, url), {
        method,
        headers: { authorization: `Bearer ${adminToken}`, "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
    } catch (err) {
      throw new UsageError(`cannot reach the collector at ${url} (${err.cause?.code ?? err.message}); is it running?`);
    }
    const answer = await res.json().catch(() => ({}));
    if (!res.ok) {
      const error = new UsageError(`${answer.message ?? res.statusText} (${res.status} ${answer.error ?? ""})`.trim());
      error.code = answer.error;
      error.answer = answer;
      throw error;
    }
    return answer;
  };
}

function printIssued(issued) {
  const expiry = issued.expires_at === null ? "never expires" : `expires ${issued.expires_at}`;
  console.log(`token ${issued.id} (${issued.prefix}…) for tenant ${issued.tenant.name}, ${expiry}`);
  console.log("It is shown once and only its hash is stored: copy it now.");
  console.log(issued.token);
}

/**
 * Ensures the `demo` tenant exists and issues it a new token. Safe to call on every start:
 * the tenant is created once; each call adds one token.
 */
export async function seedDemoTenant(call) {
  await call("GET", "/tenants/demo").catch((err) => {
    if (err.code !== "unknown_tenant") throw err;
    return call("POST", "/tenants", { name: "demo" });
  });
  return call("POST", "/tenants/demo/tokens", {});
}

function list({ tenants }) {
  if (tenants.length === 0) {
    console.log("no tenants yet: npm run tenant -- create <name>");
    return;
  }
  const short = (iso) => (iso === null ? "-" : iso.slice(0, 16).replace("T", " "));
  for (const tenant of tenants) {
    console.log(
      `${tenant.name}  ${tenant.id}  plan=${tenant.plan}${tenant.disabled ? "  DISABLED" : ""}  created ${short(tenant.created_at)}  term ${tenant.term_start} +${tenant.term_months}m`,
    );
    for (const token of tenant.tokens) {
      const state = token.state === "revoked" ? `revoked ${short(token.revoked_at)}` : token.state;
      console.log(
        `  ${token.id}  ${token.prefix}…  ${state}  created ${short(token.created_at)}  expires ${short(token.expires_at)}`,
      );
    }
  }
}

/** A whole number option within bounds, or undefined when absent. */
function wholeNumber(values, name, min, max) {
  if (values[name] === undefined) return undefined;
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`--${name} takes a whole number from ${min} to ${max}`);
  return n;
}

function printTerm({ tenant, current_term, current_period }) {
  console.log(`tenant ${tenant.name}: term from ${tenant.term_start}, ${tenant.term_months} months, renewing`);
  console.log(`current term ${current_term.start} to ${current_term.end}`);
  console.log(`current period ${current_period.month}: ${current_period.start} to ${current_period.end}`);
}

const HELP = `usage: npm run tenant -- <command> [--url <collector>]
  create <name> [--plan <plan>] [--term-start YYYY-MM-DD] [--term-months <n>]
                                          a tenant (name: lowercase letters, digits, dashes);
                                          its term defaults to the 1st of this month, 12 months
  term <tenant> [--start YYYY-MM-DD] [--months <n>]
                                          change a tenant's subscription term (billing periods
                                          start on the term start's day of the month)
  token <tenant> [--expires-in-days <n>]  a new token for a tenant (printed once, last line)
  revoke <token id | prefix | token>      revoke one token
  disable <tenant> | enable <tenant>      refuse (403) or accept a tenant's tokens
  list                                    tenants and their tokens
  backfill <tenant> <file>                store usage reports older than the tenant may send
                                          (a file of { "reports": [ … ] }, a JSON array or
                                          NDJSON); those of final periods are stored late
  demo                                    ensure the "demo" tenant and print a new token
Talks to the collector at --url (default ${LOCAL_URL}, the one npm start runs) with the
operator token from EDGEHOG_ADMIN_TOKEN (or, locally, ADMIN_TOKEN in .dev.vars).`;

async function main(argv) {
  const { values, positionals } = parseArgs({
    args: argv,
    allowPositionals: true,
    options: {
      url: { type: "string", default: LOCAL_URL },
      remote: { type: "boolean", default: false },
      plan: { type: "string" },
      "expires-in-days": { type: "string" },
      "term-start": { type: "string" },
      "term-months": { type: "string" },
      start: { type: "string" },
      months: { type: "string" },
      help: { type: "boolean", short: "h", default: false },
    },
  });
  const [command, arg, ...rest] = positionals;
  if (values.help || !command) {
    console.log(HELP);
    return;
  }
  if (values.remote) {
    throw new UsageError("--remote is gone: point the script at the deployed collector with --url https://… instead");
  }
  const call = operatorApi(values.url, adminTokenFor(values.url));
  const needArg = (what) => {
    if (!arg || rest.length > 0) throw new UsageError(`usage: npm run tenant -- ${command} <${what}>`);
    return arg;
  };
  const tenantPath = () => `/tenants/${encodeURIComponent(needArg("tenant"))}`;
  switch (command) {
    case "create": {
      const { tenant } = await call("POST", "/tenants", {
        name: needArg("name"),
        plan: values.plan,
        term_start: values["term-start"],
        term_months: wholeNumber(values, "term-months", 1, 120),
      });
      console.log(`created tenant ${tenant.name} (${tenant.id}, plan ${tenant.plan})`);
      console.log(`term from ${tenant.term_start}, ${tenant.term_months} months, renewing`);
      console.log(`next: npm run tenant -- token ${tenant.name}`);
      return;
    }
    case "term": {
      const months = wholeNumber(values, "months", 1, 120);
      if (values.start === undefined && months === undefined)
        throw new UsageError("give --start YYYY-MM-DD, --months <n>, or both");
      printTerm(await call("POST", `${tenantPath()}/term`, { term_start: values.start, term_months: months }));
      return;
    }
    case "token": {
      const days = wholeNumber(values, "expires-in-days", 1, 3650);
      const issued = await call("POST", `${tenantPath()}/tokens`, { expires_in_days: days });
      if (issued.tenant.disabled)
        console.log(`note: tenant ${issued.tenant.name} is disabled; its tokens answer 403 until it is enabled`);
      printIssued(issued);
      return;
    }
    case "revoke": {
      needArg("token id or prefix");
      const { token, already_revoked, takes_effect_within_seconds } = await call("POST", "/tokens/revoke", {
        token: arg,
      });
      console.log(
        already_revoked
          ? `token ${token.id} (${token.prefix}…) was already revoked`
          : `revoked token ${token.id} (${token.prefix}…); running Workers stop accepting it within ${takes_effect_within_seconds} s`,
      );
      return;
    }
    case "disable":
    case "enable": {
      const { tenant, takes_effect_within_seconds } = await call("POST", `${tenantPath()}/${command}`);
      console.log(`tenant ${tenant.name} ${command}d; running Workers see it within ${takes_effect_within_seconds} s`);
      return;
    }
    case "list":
      list(await call("GET", "/tenants"));
      return;
    case "backfill": {
      const [file] = rest;
      if (!arg || !file || rest.length > 1) throw new UsageError("usage: npm run tenant -- backfill <tenant> <file>");
      let reports;
      try {
        reports = reportsIn(readFileSync(file, "utf8"));
      } catch (err) {
        throw new UsageError(`${file}: ${err.message}`);
      }
      printBackfill(arg, file, await backfill(call, arg, reports));
      return;
    }
    case "demo":
      printIssued(await seedDemoTenant(call));
      return;
    default:
      throw new UsageError(`unknown command "${command}"\n${HELP}`);
  }
}

if (process.argv[1] && import.meta.url === pathToFileURL(resolve(process.argv[1])).href) {
  main(process.argv.slice(2)).catch((err) => {
    console.error(err instanceof UsageError || err instanceof TypeError ? err.message : err);
    process.exitCode = 1;
  });
}
