// The command line of every script (scripts/*.mjs, bench/run.mjs), so that an operator meets one
// convention: node:util's parseArgs (strict: an unknown flag is a mistake, never ignored),
// `--help`/`-h` prints the usage on stdout and exits 0, and a mistake (an unknown flag or
// command, a missing or malformed value) prints what is wrong and the usage line on stderr and
// exits 2. Anything that fails after the command line was understood exits 1.
import { parseArgs } from "node:util";

/** A command line that cannot be run as given: the script exits 2 with its usage line. */
export class UsageError extends Error {}

/**
 * Parses `args` (the script's own by default) with node:util's parseArgs, `--help` added.
 * Prints the usage and exits 0 on `--help`; exits 2 with the usage line on a mistake.
 * @param {string} usage the help text; its first line is the usage line
 * @param {{ options?: import("node:util").ParseArgsConfig["options"], allowPositionals?: boolean, args?: string[] }} [config]
 */
export function parseCommandLine(usage, { options = {}, allowPositionals = false, args = process.argv.slice(2) } = {}) {
  let parsed;
  try {
    parsed = parseArgs({
      args,
      options: { ...options, help: { type: "boolean", short: "h", default: false } },
      allowPositionals,
      strict: true,
    });
  } catch (err) {
    exitWithUsage(usage, mistakeOf(err));
  }
  if (parsed.values.help) {
    console.log(usage);
    process.exit(0);
  }
  return parsed;
}

/** parseArgs's complaint, said briefly (its unknown-option text is a paragraph). */
function mistakeOf(err) {
  const message = err instanceof Error ? err.message : String(err);
  if (err?.code === "ERR_PARSE_ARGS_UNKNOWN_OPTION")
    return `unknown option ${/'([^']+)'/.exec(message)?.[1] ?? ""}`.trim();
  if (err?.code === "ERR_PARSE_ARGS_UNEXPECTED_POSITIONAL")
    return `unexpected argument ${/'([^']+)'/.exec(message)?.[1] ?? ""}`.trim();
  return message;
}

/** Prints `message` and the usage line on stderr and exits 2. */
export function exitWithUsage(usage, message) {
  console.error(`${message}\n${usage.split("\n", 1)[0]}\n(--help for more)`);
  process.exit(2);
}

/**
 * Runs a script's `main`: a UsageError exits 2 with the usage line; any other error prints
 * its message (no stack: it is meant for the operator) and exits 1.
 */
export async function runScript(usage, main) {
  try {
    await main();
  } catch (err) {
    if (err instanceof UsageError) exitWithUsage(usage, err.message);
    console.error(err instanceof Error ? err.message : String(err));
    process.exitCode = 1;
  }
}

/** A whole number option within bounds, or `fallback` when absent; a UsageError otherwise. */
export function wholeNumber(values, name, { min = 1, max = Number.MAX_SAFE_INTEGER, fallback } = {}) {
  if (values[name] === undefined) return fallback;
  const n = Number(values[name]);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new UsageError(`--${name} takes a whole number from ${min} to ${max}`);
  return n;
}
