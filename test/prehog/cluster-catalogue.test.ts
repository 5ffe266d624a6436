import type { DescField, DescMessage } from "@bufbuild/protobuf";
import { describe, expect, it } from "vitest";
import { findApp } from "../../src/catalog/compile";
import { catalogue } from "../../src/catalog/definition";
import { CLUSTER_EVENT_NAMES } from "../../src/prehog/cluster-events";
import { CLUSTER_APP, TBOT_APP, TBOT_EVENT_NAMES } from "../../src/prehog/events";
import { enumValueName, nestedName } from "../../src/prehog/flatten";
import { SubmitTbotEventRequestSchema } from "../../src/prehog/gen/prehog/v1alpha/tbot_pb";
import { SubmitEventRequestSchema } from "../../src/prehog/gen/prehog/v1alpha/teleport_pb";

/**
 * Every oneof case of the cluster and tbot envelopes against the catalogue, field by field, as
 * the door flattens them: each field becomes a declared property (or is one the app never
 * stores), every value of every enum is a value of its property, and every property the
 * catalogue requires has a field to come from. A field added to the .proto without a decision in
 * the catalogue fails here.
 */

interface FlatField {
  name: string;
  field: DescField;
  /** A repeated string: flattened to `<name>_<element>`. */
  repeated: boolean;
}

/** The property names a message flattens to (src/prehog/flatten.ts), with their fields. */
function flatFields(message: DescMessage, prefix?: string): FlatField[] {
  return message.fields.flatMap((field): FlatField[] => {
    const name = prefix === undefined ? field.name : nestedName(prefix, field.name);
    if (field.fieldKind === "message") {
      if (field.message.typeName === "google.protobuf.Duration")
        return [{ name: `${name}_minutes`, field, repeated: false }];
      return flatFields(field.message, name);
    }
    return [{ name, field, repeated: field.fieldKind === "list" }];
  });
}

function cases(envelope: DescMessage) {
  return envelope.fields.flatMap((field) =>
    field.oneof && field.fieldKind === "message" ? [{ field, message: field.message }] : [],
  );
}

const ENVELOPES = [
  { envelope: SubmitEventRequestSchema, app: CLUSTER_APP, names: CLUSTER_EVENT_NAMES as Record<string, string> },
  { envelope: SubmitTbotEventRequestSchema, app: TBOT_APP, names: TBOT_EVENT_NAMES as Record<string, string> },
];

describe.each(ENVELOPES)("$app: every oneof case ↔ the catalogue", ({ envelope, app: appName, names }) => {
  const app = findApp(appName);
  const neverStored = new Set(Object.keys(catalogue.apps[appName]?.neverStored ?? {}));

  it("has a name for each case and a catalogue event for each name, sent by the door and not the SDK", () => {
    expect(
      cases(envelope)
        .map((c) => c.field.localName)
        .sort(),
    ).toEqual(Object.keys(names).sort());
    for (const { field } of cases(envelope)) {
      const name = names[field.localName] as string;
      expect(app?.events.get(name), `${field.number} ${field.name} → ${name}`).toBeDefined();
      if (name !== "tp.cluster.heartbeat") expect(catalogue.events[name]?.clientSdk, name).toBe(false);
    }
  });

  it("declares every field of every case, or names it as never stored", () => {
    for (const { field, message } of cases(envelope)) {
      const event = app?.events.get(names[field.localName] as string);
      for (const flat of flatFields(message)) {
        const where = `${field.name}.${flat.name}`;
        if (flat.repeated && flat.field.fieldKind === "list" && flat.field.listKind === "scalar") {
          const declared = [...(event?.byName.keys() ?? [])].some((p) => p.startsWith(`${flat.name}_`));
          expect(declared || neverStored.has(flat.name), where).toBe(true);
        } else {
          expect(event?.byName.has(flat.name) || neverStored.has(flat.name), where).toBe(true);
        }
        // Nothing the app never stores is a property of one of its events.
        if (neverStored.has(flat.name)) expect(event?.byName.has(flat.name), where).toBe(false);
      }
    }
  });

  it("stores every value of every enum as itself: no known value becomes other", () => {
    for (const { field, message } of cases(envelope)) {
      const event = app?.events.get(names[field.localName] as string);
      for (const flat of flatFields(message)) {
        if (flat.field.fieldKind !== "enum") continue;
        const property = event?.byName.get(flat.name);
        for (const value of flat.field.enum.values.filter((v) => v.number !== 0)) {
          const stored = enumValueName(flat.field.enum, value.number);
          expect(property?.check(stored), `${field.name}.${flat.name} = ${value.name} → ${stored}`).toBeUndefined();
        }
      }
    }
  });

  it("has a field for every property the catalogue requires", () => {
    for (const { field, message } of cases(envelope)) {
      const event = app?.events.get(names[field.localName] as string);
      const available = new Set(["cluster_name", ...flatFields(message).map((f) => f.name)]);
      for (const property of event?.properties ?? []) {
        if (!property.optional) expect(available.has(property.name), `${field.name} ← ${property.name}`).toBe(true);
      }
    }
  });
});

describe("SubmitEventRequest's numbers", () => {
  it("keeps edgehog's own case far above Teleport's, and Teleport's cases where Teleport put them", () => {
    const numbers = cases(SubmitEventRequestSchema).map((c) => c.field.number);
    expect(numbers.filter((n) => n > 10_000)).toEqual([10001]);
    const teleport = numbers.filter((n) => n < 10_000).sort((a, b) => a - b);
    // 3 to 124, without 8 (retired before any release edgehog serves) and 95 (teleport_version).
    const expected = Array.from({ length: 122 }, (_, i) => i + 3).filter((n) => n !== 8 && n !== 95);
    expect(teleport).toEqual(expected);
    expect(SubmitEventRequestSchema.fields.find((f) => f.name === "teleport_version")?.number).toBe(95);
  });

  it("names 117 distinct cluster events for its 120 Teleport cases", () => {
    const teleportCases = cases(SubmitEventRequestSchema).filter((c) => c.field.number < 10_000);
    const distinct = new Set(
      teleportCases.map((c) => CLUSTER_EVENT_NAMES[c.field.localName as keyof typeof CLUSTER_EVENT_NAMES]),
    );
    expect(teleportCases).toHaveLength(120);
    // session_start and session_start_v2, and the two encodings of each Access Request event, share a name.
    expect(distinct.size).toBe(117);
  });
});
