/** Turns each catalogue property into the check its privacy class demands, once per isolate. */

import { isDigest } from "../privacy/digest";
import { findPii } from "../privacy/pii";
import { isVersion, MAX_VERSION_LENGTH } from "../privacy/version";
import type { PropertySpec } from "./types";

export type PropertyValue = string | number | boolean;

/** Why a property value was refused: the per-event error code and a message for humans. */
export interface PropertyProblem {
  error: "not_anonymized" | "pii_detected" | "value_too_long" | "invalid_property";
  message: string;
}

export type PropertyCheck = (value: unknown) => PropertyProblem | undefined;

const MAX_COUNT = 2 ** 31 - 1;

/** Turns a catalogue property into the check its privacy class demands. */
export function checkFor(spec: PropertySpec): PropertyCheck {
  switch (spec.class) {
    case "anonymized":
      return (value) =>
        isDigest(value)
          ? undefined
          : {
              error: "not_anonymized",
              message:
                "must be an HMAC-SHA256 digest (44 characters of standard base64 of 32 random-looking bytes); anonymize it on the client, never send the plain value",
            };
    case "enum": {
      const allowed = new Set(spec.values);
      return (value) =>
        typeof value === "string" && allowed.has(value)
          ? undefined
          : { error: "invalid_property", message: `must be one of: ${spec.values.join(", ")}` };
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
              message:
                'must be a version such as "16.4.7", "v1.2.3-rc.1" or "6.5.0-14-generic" (no host names or addresses)',
            };
      };
    case "count": {
      const max = spec.max ?? MAX_COUNT;
      return (value) =>
        typeof value === "number" && Number.isInteger(value) && value >= 0 && value <= max
          ? undefined
          : { error: "invalid_property", message: `must be an integer from 0 to ${max}` };
    }
    case "bool":
      return (value) =>
        typeof value === "boolean" ? undefined : { error: "invalid_property", message: "must be true or false" };
    case "text":
      return (value) => {
        if (typeof value !== "string") return { error: "invalid_property", message: "must be a string" };
        if (value.length > spec.maxLength)
          return { error: "value_too_long", message: `must be at most ${spec.maxLength} characters` };
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
