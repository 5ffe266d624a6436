import { create, type DescField, type DescMessage, ScalarType } from "@bufbuild/protobuf";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { findApp } from "../../src/catalog/compile";
import { catalogue } from "../../src/catalog/definition";
import type { PropertySpec } from "../../src/catalog/types";
import { CLUSTER_EVENT_NAMES } from "../../src/prehog/cluster-events";
import { nestedName } from "../../src/prehog/flatten";
import { type SubmitEventRequest, SubmitEventRequestSchema } from "../../src/prehog/gen/prehog/v1alpha/teleport_pb";
import { randomDigest } from "./fixtures";

/**
 * Teleport-shaped cluster events for the tests: for any oneof case, a message with every field
 * set, each to a value its catalogue property accepts (a digest where Teleport anonymizes, the
 * first listed value of a closed set, a count, a version, a random wizard id), and the fields the
 * catalogue never stores set to free text holding an address and an email, which must then be
 * found nowhere. Built from the descriptors, so every case of the .proto is covered. Free of
 * Workers APIs: the end-to-end tests use it too.
 */

export const FREE_TEXT = "dial tcp 10.20.30.40:5432 for alice@example.com: connection refused";

const clusterApp = findApp("teleport-cluster");
const neverStored = new Set(Object.keys(catalogue.apps["teleport-cluster"]?.neverStored ?? {}));

export type ClusterCase = keyof typeof CLUSTER_EVENT_NAMES;

/** Every Teleport case of SubmitEventRequest (edgehog's heartbeat left out), in number order. */
export const TELEPORT_CASES = SubmitEventRequestSchema.fields
  .filter((field) => field.oneof && field.number < 10_000)
  .sort((a, b) => a.number - b.number);

function specOf(eventName: string, property: string): PropertySpec | undefined {
  return catalogue.events[eventName]?.properties[property];
}

function scalarFor(field: DescField, spec: PropertySpec | undefined, name: string): unknown {
  if (field.fieldKind !== "scalar") return undefined;
  if (field.scalar === ScalarType.BYTES) return crypto.getRandomValues(new Uint8Array(32));
  if (field.scalar === ScalarType.BOOL) return true;
  if (field.scalar === ScalarType.STRING) {
    if (neverStored.has(name) || spec === undefined) return FREE_TEXT;
    switch (spec.class) {
      case "anonymized":
        return randomDigest();
      case "enum":
        return spec.values[0];
      case "version":
        return "17.1.0";
      case "id":
        return crypto.randomUUID();
      default:
        return FREE_TEXT;
    }
  }
  // Numbers: 64-bit ones are bigints in protobuf-es.
  const small = spec?.class === "count" && (spec.min ?? 0) < 0 ? -3 : 3;
  const wide = [ScalarType.INT64, ScalarType.UINT64, ScalarType.FIXED64, ScalarType.SFIXED64, ScalarType.SINT64];
  return wide.includes(field.scalar) ? BigInt(small) : small;
}

/** A message of `descriptor` with every field set for the event `eventName`, properties named from `prefix`. */
function fill(descriptor: DescMessage, eventName: string, prefix?: string): Record<string, unknown> {
  const init: Record<string, unknown> = {};
  for (const field of descriptor.fields) {
    const name = prefix === undefined ? field.name : nestedName(prefix, field.name);
    switch (field.fieldKind) {
      case "scalar":
        init[field.localName] = scalarFor(field, specOf(eventName, name), name);
        break;
      case "enum":
        init[field.localName] = 1;
        break;
      case "message":
        init[field.localName] =
          field.message.typeName === "google.protobuf.Duration"
            ? { seconds: 43_200n, nanos: 1 }
            : fill(field.message, eventName, name);
        break;
      case "list": {
        const listed = Object.keys(catalogue.events[eventName]?.properties ?? {}).find((p) => p.startsWith(`${name}_`));
        init[field.localName] = listed ? [listed.slice(name.length + 1)] : [FREE_TEXT];
        break;
      }
      case "map":
        init[field.localName] = { owner: FREE_TEXT };
        break;
    }
  }
  return init;
}

/** One Teleport-shaped event of `eventCase`, every field set, from the cluster `clusterName` (a digest). */
export function sampleEvent(eventCase: ClusterCase, clusterName: string, at: number): SubmitEventRequest {
  const field = SubmitEventRequestSchema.fields.find((f) => f.localName === eventCase);
  if (field?.fieldKind !== "message") throw new Error(`no case ${eventCase}`);
  const eventName = CLUSTER_EVENT_NAMES[eventCase];
  if (!clusterApp?.events.has(eventName)) throw new Error(`no catalogue event ${eventName}`);
  return create(SubmitEventRequestSchema, {
    clusterName,
    timestamp: timestampFromMs(at),
    teleportVersion: "17.1.0",
    event: { case: eventCase, value: fill(field.message, eventName) } as never,
  });
}
