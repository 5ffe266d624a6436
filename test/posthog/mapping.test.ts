import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { catalogue } from "../../src/catalog/definition";
import { canonicalJson } from "../../src/posthog/derived-uuid";
import { randomDigest } from "../helpers/events";
import { uuidv7 } from "../helpers/uuidv7";
import { posthogJsEvent, send } from "./helpers";

/**
 * How a PostHog event becomes an edgehog event: SDK properties are dropped unless the
 * catalogue maps them, person properties fill the app's common properties, `$ip` and other
 * addresses never reach storage, and a missing uuid is derived so that retries count once.
 */

const batchOf = (...events: unknown[]) => ({ body: JSON.stringify({ api_key: "teleport-connect", batch: events }) });
const V4 = /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/;

/** Everything a stored event may hold for connect.protocol.use: its own and the app's common properties. */
const declared = new Set([
  ...Object.keys(catalogue.events["connect.protocol.use"]?.properties ?? {}),
  ...Object.keys(catalogue.apps["teleport-connect"]?.commonProperties ?? {}),
]);

const ipv4 = fc.tuple(fc.nat(255), fc.nat(255), fc.nat(255), fc.nat(255)).map((parts) => parts.join("."));
const sdkName = fc.stringMatching(/^\$[a-z_]{1,20}$/);
const sdkValue = fc.oneof(fc.string({ maxLength: 30 }), fc.integer(), fc.boolean(), ipv4);

describe("PostHog events onto edgehog events", () => {
  it("never store an SDK property unless the catalogue maps it, nor an address, wherever it is put", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.dictionary(sdkName, sdkValue, { maxKeys: 12 }),
        ipv4,
        fc.dictionary(fc.stringMatching(/^[a-z_.$]{1,12}$/), sdkValue, { maxKeys: 6 }),
        async (sdkProperties, ip, personProperties) => {
          const event = posthogJsEvent(
            { $ip: ip, $set: { ...personProperties, $ip: ip } },
            { ...sdkProperties, $ip: ip, $set_once: { ...personProperties, ip } },
          );
          const answer = await send("/batch/", batchOf(event));
          expect(answer.status).toBe(200);
          for (const stored of answer.stored) {
            for (const name of Object.keys(stored.properties)) expect(declared.has(name), name).toBe(true);
            expect(JSON.stringify(stored)).not.toContain(ip);
          }
          expect(JSON.stringify(answer.body)).not.toContain(ip);
        },
      ),
      { seed: 7, numRuns: 40 },
    );
  });

  it("map $os through the catalogue's table and drop the values it does not list", async () => {
    const cases: [string, string][] = [
      ["Mac OS X", "darwin"],
      ["Linux", "linux"],
      ["Windows", "win32"],
      ["iOS", ""],
      ["constructor", ""],
    ];
    for (const [sdkValue, stored] of cases) {
      const answer = await send("/batch/", batchOf(posthogJsEvent({}, { $os: sdkValue })));
      expect(answer.body.accepted, sdkValue).toBe(1);
      expect(answer.stored[0]?.os).toBe(stored);
      expect(answer.stored[0]?.properties.os).toBe(stored || undefined);
    }
    const versioned = await send("/batch/", batchOf(posthogJsEvent({}, { $app_version: "17.2.0" })));
    expect(versioned.stored[0]?.app_version).toBe("17.2.0");
  });

  it("fill common properties from $set and $set_once, never over what the event says itself", async () => {
    const fromPeople = await send(
      "/batch/",
      batchOf(
        posthogJsEvent(
          {},
          {
            $os: "Windows",
            $set_once: {
              "connect.os": "linux",
              "connect.arch": "arm64",
              "connect.os_version": "6.5.0",
              email: "a@b.c",
            },
            $set: { app_version: "17.0.1", "connect.app_version": "16.0.0" },
          },
        ),
      ),
    );
    expect(fromPeople.stored[0]?.properties).toMatchObject({
      os: "linux",
      arch: "arm64",
      os_version: "6.5.0",
      app_version: "17.0.1",
    });
    expect(JSON.stringify(fromPeople.stored)).not.toContain("a@b.c");

    const own = await send(
      "/batch/",
      batchOf(posthogJsEvent({ $set: { os: "linux" } }, { os: "darwin", $set_once: { "connect.os": "win32" } })),
    );
    expect(own.stored[0]?.os).toBe("darwin");

    // A person property is judged like any other: a plain value where a version belongs rejects.
    const invalid = await send("/batch/", batchOf(posthogJsEvent({}, { $set_once: { app_version: "latest" } })));
    expect(invalid.body.rejected).toMatchObject([
      { index: 0, error: "invalid_property", field: "properties.app_version" },
    ]);
  });

  it("pass UUIDv7 uuids and distinct_ids through, lower-cased", async () => {
    const uuid = uuidv7();
    const distinctId = uuidv7();
    const answer = await send(
      "/batch/",
      batchOf(posthogJsEvent({ uuid: uuid.toUpperCase() }, { distinct_id: distinctId.toUpperCase() })),
    );
    expect(answer.body.accepted).toBe(1);
    expect(answer.stored[0]).toMatchObject({ uuid, distinct_id: distinctId });
    // A digest as distinct_id is case-sensitive: kept exactly.
    const digest = randomDigest();
    const digestAnswer = await send("/batch/", batchOf(posthogJsEvent({ distinct_id: digest })));
    expect(digestAnswer.stored[0]?.distinct_id).toBe(digest);
  });

  it("derive a v4-shaped uuid from the content of an event sent without one: the same for a retry", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(fc.constantFrom("ssh", "db", "kube"), { minLength: 1, maxLength: 5 }),
        fc.integer({ min: 0, max: 60_000 }),
        async (protocols, delay) => {
          const sentAt = Date.parse("2026-11-20T10:00:00Z");
          const events = protocols.map((protocol, i) => {
            const { uuid: _, ...event } = posthogJsEvent({ timestamp: undefined }, { protocol });
            return { ...event, offset: 1000 * i };
          });
          const first = await send("/batch/", {
            body: JSON.stringify({
              api_key: "teleport-connect",
              sent_at: new Date(sentAt).toISOString(),
              batch: events,
            }),
          });
          // The retry is sent later, so every offset is larger by the delay, and in another order.
          const retried = events.map((event) => ({ ...event, offset: event.offset + delay })).reverse();
          const second = await send("/batch/", {
            body: JSON.stringify({
              api_key: "teleport-connect",
              sent_at: new Date(sentAt + delay).toISOString(),
              batch: retried,
            }),
          });
          const uuids = first.stored.map((e) => e.uuid);
          for (const uuid of uuids) expect(uuid).toMatch(V4);
          expect(new Set(uuids).size).toBe(events.length);
          expect(second.stored.map((e) => e.uuid).sort()).toEqual([...uuids].sort());
        },
      ),
      { seed: 11, numRuns: 25 },
    );
  });

  it("serialise content canonically: key order never changes a derived uuid", () => {
    fc.assert(
      fc.property(fc.jsonValue(), (value) => {
        const reordered = JSON.parse(JSON.stringify(value), (_key, v) =>
          v && typeof v === "object" && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v,
        );
        expect(canonicalJson(reordered)).toBe(canonicalJson(value));
      }),
      { seed: 3, numRuns: 200 },
    );
  });

  it("take the time from timestamp, else offset before sent_at, else the send itself", async () => {
    const sentAt = "2026-11-20T10:00:00.000Z";
    const answer = await send("/batch/", {
      body: JSON.stringify({
        api_key: "teleport-connect",
        sent_at: sentAt,
        batch: [
          posthogJsEvent({ timestamp: "2026-11-20T09:59:00.000Z" }),
          posthogJsEvent({ timestamp: undefined, offset: 30_000 }),
          posthogJsEvent({ timestamp: undefined }),
        ],
      }),
    });
    expect(answer.body.accepted).toBe(3);
    const [fromTimestamp, fromOffset, fromSend] = answer.stored.map((e) => e.timestamp);
    // Corrected for the client's clock: the collector received the batch "now".
    expect((fromSend ?? 0) - (fromTimestamp ?? 0)).toBe(60_000);
    expect((fromSend ?? 0) - (fromOffset ?? 0)).toBe(30_000);
    expect(Math.abs((fromSend ?? 0) - Date.now())).toBeLessThan(10_000);
  });

  it("find the one project key of a request, wherever the SDK put it", async () => {
    const event = posthogJsEvent();
    const { token: _, ...withoutToken } = event.properties;
    const bare = { ...event, properties: withoutToken };
    expect((await send("/e/", { body: JSON.stringify([event]) })).status).toBe(200);
    expect((await send("/capture/", { body: JSON.stringify({ ...bare, api_key: "teleport-connect" }) })).status).toBe(
      200,
    );
    expect((await send("/capture/", { body: JSON.stringify({ ...bare, $token: "teleport-connect" }) })).status).toBe(
      200,
    );
    expect(await send("/e/", { body: JSON.stringify([bare]) })).toMatchObject({
      status: 400,
      body: { error: "missing_token" },
    });
    const other = { ...event, properties: { ...event.properties, token: "teleport-cluster" } };
    expect(await send("/e/", { body: JSON.stringify([event, other]) })).toMatchObject({
      status: 400,
      body: { error: "multiple_tokens" },
    });
    expect(await send("/batch/", { body: JSON.stringify({ api_key: "phc_not_an_app", batch: [bare] }) })).toMatchObject(
      { status: 400, body: { error: "unknown_app" } },
    );
  });
});

describe("PostHog properties named like Object's own", () => {
  it("are counted like any other name the catalogue does not know (as `(other)`), never set a prototype", async () => {
    const body = `{"api_key":"teleport-connect","batch":[${JSON.stringify(posthogJsEvent()).replace(
      '"properties":{',
      '"properties":{"__proto__":{"protocol":"db"},"constructor":"x",',
    )}]}`;
    const answer = await send("/batch/", { body });
    expect(answer.body.accepted).toBe(1);
    expect(answer.stored[0]?.properties.protocol).toBe("ssh");
    expect(answer.body.dropped_properties).toEqual({
      "connect.protocol.use": { "(other)": 2 },
    });
  });
});
