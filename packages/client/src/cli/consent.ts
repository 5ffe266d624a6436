import { createInterface } from "node:readline";
import type { Consent } from "../types.js";

/**
 * Whether a command-line run may ask and send. The environment speaks first: `DO_NOT_TRACK`
 * (the cross-tool convention) or the tool's own opt-out variable set means "denied" for the
 * run. A run nobody can answer (no terminal on stdin or stderr, or a CI job) is "unknown": it
 * never prompts and never sends, whatever was answered before. Otherwise the stored answer.
 */

/** A variable counts as set unless it is empty, "0" or "false" (`DO_NOT_TRACK=0` means no objection). */
export function isSet(value: string | undefined): boolean {
  return value !== undefined && !["", "0", "false"].includes(value.trim().toLowerCase());
}

export type CliConsentReason = "answer" | "environment" | "non-interactive";

export function runConsent(
  stored: Consent,
  env: Record<string, string | undefined>,
  optOutVariable: string,
  interactive: boolean,
): { consent: Consent; reason: CliConsentReason } {
  if (isSet(env.DO_NOT_TRACK) || isSet(env[optOutVariable])) return { consent: "denied", reason: "environment" };
  if (!interactive) return { consent: "unknown", reason: "non-interactive" };
  return { consent: stored, reason: "answer" };
}

/** A terminal on both ends (the question goes to stderr, so stdout stays the tool's) and not CI. */
export function isInteractive(
  input: { isTTY?: boolean },
  output: { isTTY?: boolean },
  env: Record<string, string | undefined>,
): boolean {
  return input.isTTY === true && output.isTTY === true && !isSet(env.CI);
}

/**
 * Where the question is read and written: a readable stream (`process.stdin`) and a writable
 * one (`process.stderr`). Typed by what the SDK uses, so that the declarations need no Node types.
 */
export interface TerminalInput {
  readonly isTTY?: boolean;
}
export interface TerminalOutput {
  readonly isTTY?: boolean;
  write(text: string): unknown;
}

/** Asks once: "y" grants, "n" denies, anything else (Enter, Ctrl-D) decides nothing. */
export function ask(question: string, input: TerminalInput, output: TerminalOutput): Promise<boolean | undefined> {
  return new Promise((resolve) => {
    const lines = createInterface({ input: input as NodeJS.ReadableStream, terminal: false });
    output.write(`${question}\n[y] Yes  [n] No  (Enter: ask me next time) `);
    lines.once("line", (line) => {
      const answer = line.trim().toLowerCase();
      resolve(answer === "y" || answer === "yes" ? true : answer === "n" || answer === "no" ? false : undefined);
      lines.close(); // after resolving: closing fires "close" at once
    });
    lines.once("close", () => resolve(undefined));
  });
}
