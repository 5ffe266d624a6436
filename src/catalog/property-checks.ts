/**
 * Turns each catalogue property into the check its privacy class demands, and, where the
 * catalogue declares one, the reduced form a value outside the class is stored as instead of
 * refusing the event (an enum's `other`, a kernel release's core), once per isolate.
 */

import type { ItemErrorCode } from "../http/error-codes";
import { isDigest } from "../privacy/digest";
import { randomUuid } from "../privacy/ids";
import { findPii } from "../privacy/pii";
import { textProblem } from "../privacy/text";
import { isVersion, MAX_VERSION_DIGITS, MAX_VERSION_LENGTH, reducedKernelVersion } from "../privacy/version";
import { UNLISTED_VALUE } from "../usage/vocabulary";
import type { PropertySpec } from "./types";

export type PropertyValue = string | number | boolean;

/** Why a property value was refused: the per-event error code and a message for humans. */
export interface PropertyProblem {
  error: Extract<ItemErrorCode, "not_anonymized" | "pii_detected" | "value_too_long" | "invalid_property">;
  message: string;
}

export type PropertyCheck = (value: unknown) => PropertyProblem | undefined;
/** What a value the check refused is stored as, or undefined when the event is refused. */
export type PropertyReduction = (value: unknown) => PropertyValue | undefined;

const MAX_COUNT = 2 ** 31 - 1;

/** Turns a catalogue property into the check its privacy class demands. */
export function checkFor(spec: PropertySpec): PropertyCheck {
  switch (spec.class) {
    case "anonymized": {
      // With presets, what a plain value is reduced to is in the class too.
      const presets = new Set(spec.presets === undefined ? [] : [...spec.presets, UNLISTED_VALUE]);
      return (value) =>
        isDigest(value) || (typeof value === "string" && presets.has(value))
          ? undefined
          : {
              error: "not_anonymized",
              message:
                "must be an HMAC-SHA256 digest (44 characters of standard base64 of 32 random-looking bytes); anonymize it on the client, never send the plain value",
            };
    }
    case "enum": {
      const allowed = new Set(spec.other === undefined ? spec.values : [...spec.values, spec.other]);
      const message =
        spec.other === undefined
          ? `must be one of: ${spec.values.join(", ")}`
          : `must be a string: one of ${spec.values.join(", ")}, or any other, stored as "${spec.other}"`;
      return (value) =>
        typeof value === "string" && allowed.has(value) ? undefined : { error: "invalid_property", message };
    }
    case "version":
      return (value) => {
        if (typeof value !== "string") return { error: "invalid_property", message: "must be a version string" };
        if (value.length > MAX_VERSION_LENGTH)
          return { error: "value_too_long", message: `must be at most ${MAX_VERSION_LENGTH} characters` };
        return isVersion(value)
          ? undefined
          : {
              error: "invalid_property",
              message: `must be a version such as "17.0.1", "v20.11.1" or "17.0.0-rc.1": up to three numbers, then optionally "-" and a word such as alpha, beta, rc or dev and a number; at most ${MAX_VERSION_DIGITS} digits`,
            };
      };
    case "count": {
      const [min, max] = [spec.min ?? 0, spec.max ?? MAX_COUNT];
      return (value) =>
        typeof value === "number" && Number.isInteger(value) && value >= min && value <= max
          ? undefined
          : { error: "invalid_property", message: `must be an integer from ${min} to ${max}` };
    }
    case "id":
      return (value) =>
        randomUuid(value) === value || isDigest(value)
          ? undefined
          : {
              error: "invalid_property",
              message:
                "must be a random id: a version 4 or 7 UUID (lower-case) or an HMAC digest, never a name, an address or a sequence number",
            };
    case "bool":
      return (value) =>
        typeof value === "boolean" ? undefined : { error: "invalid_property", message: "must be true or false" };
    case "text":
      return (value) => {
        if (typeof value !== "string") return { error: "invalid_property", message: "must be a string" };
        const problem = textProblem(value, spec);
        if (problem === "too_long")
          return { error: "value_too_long", message: `must be at most ${spec.maxLength} characters` };
        if (problem)
          return {
            error: "invalid_property",
            message: `must be at most ${spec.maxWords} words of ASCII letters, single spaces and ' & ( ) , - (no digits, @, dots, colons or slashes)`,
          };
        const pii = findPii(value);
        return pii
          ? {
              error: "pii_detected",
              message: `contains what looks like ${pii === "email" ? "an email address" : `an ${pii === "ipv4" ? "IPv4" : "IPv6"} address`}; free text must not carry personal data`,
            }
          : undefined;
      };
  }
}

/** The reduction the catalogue declares for the property, if any. */
export function reductionFor(spec: PropertySpec): PropertyReduction | undefined {
  if (spec.class === "anonymized" && spec.presets !== undefined) {
    return (value) => (typeof value === "string" ? UNLISTED_VALUE : undefined);
  }
  if (spec.class === "enum" && spec.other !== undefined) {
    const other = spec.other;
    return (value) => (typeof value === "string" ? other : undefined);
  }
  if (spec.class === "version" && spec.reduce === "kernel") {
    return (value) => (typeof value === "string" ? reducedKernelVersion(value) : undefined);
  }
  return undefined;
}
