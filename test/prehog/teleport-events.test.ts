import { env } from "cloudflare:workers";
import type { DescMessage } from "@bufbuild/protobuf";
import { beforeEach, describe, expect, it } from "vitest";
import { catalogue } from "../../src/catalog/definition";
import { CLUSTER_EVENT_NAMES } from "../../src/prehog/cluster-events";
import { nestedName } from "../../src/prehog/flatten";
import { TeleportReportingService } from "../../src/prehog/gen/prehog/v1alpha/teleport_pb";
import { forgetCachedTokens } from "../../src/tenants/verify";
import { bearer } from "../helpers/harness";
import { recordingEventsQueue } from "../helpers/queue";
import { digestOf, tenantWithToken } from "../helpers/tenants";
import { type ClusterCase, FREE_TEXT, sampleEvent, TELEPORT_CASES } from "./cluster-samples";
import { client, type WireFormat } from "./helpers";

/**
 * Every event a current Teleport cluster sends, encoded from edgehog's .proto by a real Connect
 * client, with every field set: each is accepted and stored as its catalogue event, every field
 * the catalogue declares arrives as its property, and no field it never stores (set to free text
 * holding an address and an email) is found in what is stored.
 */

const neverStored = new Set(Object.keys(catalogue.apps["teleport-cluster"]?.neverStored ?? {}));

/** The scalar property names a message flattens to, repeated and map fields left out. */
function flatNames(message: DescMessage, prefix?: string): string[] {
  return message.fields.flatMap((field) => {
    const name = prefix === undefined ? field.name : nestedName(prefix, field.name);
    if (field.fieldKind === "message")
      return field.message.typeName === "google.protobuf.Duration"
        ? [`${name}_minutes`]
        : flatNames(field.message, name);
    return field.fieldKind === "list" || field.fieldKind === "map" ? [] : [name];
  });
}

describe("SubmitEvents with every case of Teleport's SubmitEventRequest", () => {
  beforeEach(() => forgetCachedTokens());

  it.each<WireFormat>(["connect+proto", "connect+json"])("accepts and stores all 120 sent as %s", async (format) => {
    const { issued } = await tenantWithToken(`every-${crypto.randomUUID().slice(0, 8)}`);
    const cluster = await digestOf("prod");
    const at = Date.now() - 60_000;
    const events = TELEPORT_CASES.map((field, i) => sampleEvent(field.localName as ClusterCase, cluster, at + i));
    const { queue, events: stored } = recordingEventsQueue({ passTo: env.EVENTS_QUEUE });
    const headers = new Headers();
    await client(TeleportReportingService, format, { ...env, EVENTS_QUEUE: queue }).submitEvents(
      { events },
      { headers: bearer(issued.token), onHeader: (h) => h.forEach((v, k) => void headers.set(k, v)) },
    );
    expect([headers.get("edgehog-accepted"), headers.get("edgehog-rejected")]).toEqual(["120", "0"]);
    expect(stored).toHaveLength(120);

    for (const [i, field] of TELEPORT_CASES.entries()) {
      const event = stored.find((e) => e.timestamp === at + i);
      const name = CLUSTER_EVENT_NAMES[field.localName as ClusterCase];
      expect(event?.event, `${field.number}`).toBe(name);
      expect(event?.app_version).toBe("17.1.0");
      if (field.fieldKind !== "message") continue;
      for (const property of flatNames(field.message)) {
        if (neverStored.has(property)) expect(event?.properties, `${name}.${property}`).not.toHaveProperty(property);
        else expect(event?.properties, `${name}.${property}`).toHaveProperty(property);
      }
      expect(JSON.stringify(event), name).not.toContain("10.20.30.40");
      expect(JSON.stringify(event), name).not.toContain("alice@example.com");
    }
    expect(stored.find((e) => e.event === "tp.certificate.issued")?.properties.ttl_minutes).toBe(721);
    expect(stored.find((e) => e.event === "tp.agent.metadata")?.properties).toMatchObject({ services_auth: true });
    expect(JSON.stringify(stored)).not.toContain(FREE_TEXT);
  });

  it("serves the deprecated single-event SubmitEvent the same way", async () => {
    const { issued } = await tenantWithToken(`single-${crypto.randomUUID().slice(0, 8)}`);
    const { queue, events: stored } = recordingEventsQueue({ passTo: env.EVENTS_QUEUE });
    const login = sampleEvent("userLogin", await digestOf("prod"), Date.now() - 1000);
    await client(TeleportReportingService, "connect+proto", { ...env, EVENTS_QUEUE: queue }).submitEvent(login, {
      headers: bearer(issued.token),
    });
    expect(stored).toMatchObject([
      { event: "tp.user.login", properties: { user_origin: "local", connector_type: "local" } },
    ]);
  });
});
