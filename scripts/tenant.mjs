#!/usr/bin/env node
// Operator script: tenants and tenant tokens, through the operator API of a running collector
// (src/tenants/routes.ts). Local (`npm start`) by default, any deployment with --url.
//
//   npm run tenant -- create <name> [--plan <plan>] [--term-start YYYY-MM-DD] [--term-months <n>]
//   npm run tenant -- term <tenant> [--start YYYY-MM-DD] [--months <n>]   (the subscription term)
//   npm run tenant -- contract <tenant> --plan <plan> [--reporting-required] [--mau <n>] [--tpr <n>] [--mwi <n>]
//   npm run tenant -- webhook <tenant> <https URL | --remove>   (the tenant's own webhook endpoint)
//   npm run tenant -- token <tenant> [--expires-in-days <n>]   (last line: the token)
//   npm run tenant -- revoke <token id | token prefix | token>
//   npm run tenant -- disable <tenant> | enable <tenant>
//   npm run tenant -- list
//   npm run tenant -- demo        (ensures the "demo" tenant; last line: a new token)
//   npm run tenant -- backfill <tenant> <file>   (usage reports older than the tenant may send)
//
// <tenant> is a tenant's name or id. The operator token comes from EDGEHOG_ADMIN_TOKEN or
// ADMIN_TOKEN, or, for a local collector, from ADMIN_TOKEN in .dev.vars (scripts/lib/operator-api.mjs).

import { readFileSync } from "node:fs";
import { parseCommandLine, runScript, UsageError, wholeNumber } from "./lib/cli.mjs";
import { adminTokenFor, LOCAL_URL, operatorApi, seedDemoTenant } from "./lib/operator-api.mjs";
import { backfill, printBackfill, reportsIn } from "./lib/usage-backfill.mjs";

function printIssued(issued) {
  const expiry = issued.expires_at === null ? "never expires" : `expires ${issued.expires_at}`;
  console.log(`token ${issued.id} (${issued.prefix}…) for tenant ${issued.tenant.name}, ${expiry}`);
  console.log("It is shown once and only its hash is stored: copy it now.");
  console.log(issued.token);
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

function printTerm({ tenant, current_term, current_period }) {
  console.log(`tenant ${tenant.name}: term from ${tenant.term_start}, ${tenant.term_months} months, renewing`);
  console.log(`current term ${current_term.start} to ${current_term.end}`);
  console.log(`current period ${current_period.month}: ${current_period.start} to ${current_period.end}`);
}

function printContract({ tenant, contract }) {
  const quantities = ["mau", "tpr", "mwi"].map((f) => `${f}=${contract[f] ?? "-"}`).join(" ");
  const reporting = contract.reporting_required
    ? `reporting required since ${contract.reporting_required_since}`
    : "reporting not required";
  console.log(`tenant ${tenant.name}: plan ${contract.plan}, ${reporting}, contracted ${quantities}`);
}

const COMMANDS = [
  "create",
  "term",
  "contract",
  "webhook",
  "token",
  "revoke",
  "disable",
  "enable",
  "list",
  "demo",
  "backfill",
];

const HELP = `usage: npm run tenant -- <command> [--url <collector>]
  create <name> [--plan <plan>] [--term-start YYYY-MM-DD] [--term-months <n>]
                                          a tenant (name: lowercase letters, digits, dashes);
                                          its term defaults to the 1st of this month, 12 months
  term <tenant> [--start YYYY-MM-DD] [--months <n>]
                                          change a tenant's subscription term (billing periods
                                          start on the term start's day of the month)
  contract <tenant> --plan <plan> [--reporting-required] [--mau <n>] [--tpr <n>] [--mwi <n>]
                                          replace the tenant's contract: its plan, whether its
                                          clusters must report, the quantities it bought (a
                                          quantity left out is no longer contracted)
  webhook <tenant> <https URL> | --remove  the tenant's own webhook endpoint; prints the
                                          secret its receiver verifies signatures with
  token <tenant> [--expires-in-days <n>]  a new token for a tenant (printed once, last line)
  revoke <token id | prefix | token>      revoke one token
  disable <tenant> | enable <tenant>      refuse (403) or accept a tenant's tokens
  list                                    tenants and their tokens
  demo                                    ensure the "demo" tenant and print a new token
  backfill <tenant> <file>                store usage reports older than the tenant may send
                                          (a file of { "reports": [ … ] }, a JSON array or
                                          NDJSON); those of final periods are stored late
Talks to the collector at --url (default ${LOCAL_URL}, the one npm start runs) with the
operator token from EDGEHOG_ADMIN_TOKEN or ADMIN_TOKEN (or, locally, ADMIN_TOKEN in .dev.vars).`;

async function main() {
  const { values, positionals } = parseCommandLine(HELP, {
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
      "reporting-required": { type: "boolean", default: false },
      mau: { type: "string" },
      tpr: { type: "string" },
      mwi: { type: "string" },
      remove: { type: "boolean", default: false },
    },
  });
  const [command, arg, ...rest] = positionals;
  if (!command) throw new UsageError("a command is required");
  if (values.remote) {
    throw new UsageError("--remote is gone: point the script at the deployed collector with --url https://… instead");
  }
  if (!COMMANDS.includes(command)) throw new UsageError(`unknown command "${command}"`);
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
        term_months: wholeNumber(values, "term-months", { max: 120 }),
      });
      console.log(`created tenant ${tenant.name} (${tenant.id}, plan ${tenant.plan})`);
      console.log(`term from ${tenant.term_start}, ${tenant.term_months} months, renewing`);
      console.log(`next: npm run tenant -- token ${tenant.name}`);
      return;
    }
    case "term": {
      const months = wholeNumber(values, "months", { max: 120 });
      if (values.start === undefined && months === undefined)
        throw new UsageError("give --start YYYY-MM-DD, --months <n>, or both");
      printTerm(await call("POST", `${tenantPath()}/term`, { term_start: values.start, term_months: months }));
      return;
    }
    case "contract": {
      if (values.plan === undefined) throw new UsageError("give the tenant's --plan (and the rest of its contract)");
      const quantity = (name) => wholeNumber(values, name, { max: 1_000_000_000 });
      printContract(
        await call("PUT", `${tenantPath()}/contract`, {
          plan: values.plan,
          reporting_required: values["reporting-required"],
          mau: quantity("mau"),
          tpr: quantity("tpr"),
          mwi: quantity("mwi"),
        }),
      );
      return;
    }
    case "webhook": {
      const [url] = rest;
      if (!arg || rest.length > 1 || (values.remove ? url !== undefined : url === undefined))
        throw new UsageError("usage: npm run tenant -- webhook <tenant> <https URL> | --remove");
      const path = `/tenants/${encodeURIComponent(arg)}/webhook`;
      if (values.remove) {
        await call("DELETE", path);
        console.log(`tenant ${arg}: its own webhook endpoint is removed`);
        return;
      }
      const answer = await call("PUT", path, { url });
      console.log(`tenant ${answer.tenant.name}: webhooks also go to ${answer.url}, signed with this secret:`);
      console.log(answer.secret);
      return;
    }
    case "token": {
      const days = wholeNumber(values, "expires-in-days", { max: 3650 });
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
    case "demo":
      printIssued(await seedDemoTenant(call));
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
  }
}

await runScript(HELP, main);
