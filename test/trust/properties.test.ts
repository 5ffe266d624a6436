import { env } from "cloudflare:workers";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { catalogue } from "../../src/catalog/definition";
import { toBase64 } from "../../src/lib/bytes";
import { isDigest } from "../../src/privacy/digest";
import { installId } from "../../src/privacy/ids";
import { findPii } from "../../src/privacy/pii";
import { eventually } from "../helpers/events";
import { bearer, postEvents, postUsage } from "../helpers/harness";
import { aggregatesSnapshot, archivedEvents } from "../helpers/queue";
import { allStoredStrings } from "../helpers/stored-strings";
import { tenantWithToken } from "../helpers/tenants";

/**
 * The invariants of the trust boundary, over random bodies: valid events mixed with hostile
 * values, names and structures. Fixed seeds and bounded runs, so a failure replays exactly.
 *
 * - never a 5xx;
 * - every event answered as accepted is in the aggregates exactly once once the queue drains,
 *   and every report answered as accepted is stored exactly once;
 * - nothing rejected leaves a trace beyond its counter;
 * - no stored string holds an email or an IP address, and every anonymized value stored is a
 *   digest that looks random.
 */

const SEED = 20261126;
const digest = fc.uint8Array({ minLength: 32, maxLength: 32 }).map(toBase64);
/** Readable text, padded to 32 bytes and base64-encoded: shaped exactly like a digest. */
const textAsDigest = fc
  .string({ unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz0123456789@.-_ "), minLength: 1, maxLength: 32 })
  .map((text) => toBase64(new TextEncoder().encode(text.padEnd(32, " "))));
const hostileString = fc.oneof(
  textAsDigest,
  textAsDigest,
  fc.emailAddress(),
  fc.ipV4(),
  fc.ipV6(),
  fc.domain(),
  fc.constantFrom(
    "alice＠example．com",
    "ali\u200bce@example.com",
    "bob [at] example [dot] com",
    "010.000.000.001",
    "ip2001:db8::1",
    "6.5.0+alice-laptop.corp.example.com",
    toBase64(new TextEncoder().encode("alice@example.com".padEnd(32, " "))),
    "00000000-0000-0000-0000-000000000000",
    "6ba7b810-9dad-11d1-80b4-00c04fd430c8",
  ),
  fc.string({ maxLength: 300 }),
);
const hostileName = fc.oneof(
  fc.constantFrom(
    "constructor",
    "__proto__",
    "toString",
    "valueOf",
    "hasOwnProperty",
    "10.0.0.1",
    "alice@example.com",
    "$ip",
  ),
  fc.string({ minLength: 1, maxLength: 70 }),
);

/** A valid event of the teleport-connect app, as a careful client sends it. */
const validEvent = fc
  .record({
    uuid: fc.uuid({ version: 4 }),
    install: fc.uuid({ version: 4 }),
    minutesAgo: fc.integer({ min: 0, max: 60 * 24 * 20 }),
    cluster: digest,
    user: digest,
    protocol: fc.constantFrom("ssh", "db", "kube", "app", "desktop"),
    version: fc.constantFrom("17.0.1", "16.4.7", "v1.2.3-rc.1", "17.0.0-alpha.1"),
    os: fc.constantFrom("darwin", "linux", "win32"),
  })
  .map((e) => ({
    uuid: e.uuid,
    event: "connect.protocol.use",
    distinct_id: e.install,
    timestamp: new Date(Date.now() - e.minutesAgo * 60_000).toISOString(),
    properties: {
      cluster_name: e.cluster,
      user_name: e.user,
      protocol: e.protocol,
      app_version: e.version,
      os: e.os,
    } as Record<string, unknown>,
  }));

type Event = { uuid?: unknown };

/** Every hostile value sent where a digest, an id or a version belongs: none may be stored. */
const sentHostile = new Set<string>();

/** An event with one hostile change (or none), or a structure that is not an event at all. */
const anyEvent = fc.oneof(
  { weight: 4, arbitrary: validEvent },
  {
    weight: 6,
    arbitrary: fc
      .tuple(
        validEvent,
        fc.constantFrom(
          "user_name",
          "cluster_name",
          "app_version",
          "os_version",
          "distinct_id",
          "uuid",
          "timestamp",
          "protocol",
        ),
        hostileString,
      )
      .map(([event, field, value]): unknown => {
        if (typeof value === "string" && value.length > 8) sentHostile.add(value);
        if (field === "distinct_id" || field === "uuid" || field === "timestamp") return { ...event, [field]: value };
        return { ...event, properties: { ...event.properties, [field]: value } };
      }),
  },
  {
    weight: 3,
    arbitrary: fc
      .tuple(validEvent, hostileName, fc.oneof(fc.string(), fc.integer(), fc.boolean()))
      .map(([event, name, value]) => {
        const properties = { ...event.properties };
        Object.defineProperty(properties, name, { value, enumerable: true, configurable: true, writable: true });
        return { ...event, properties };
      }),
  },
  {
    weight: 1,
    arbitrary: fc.oneof(
      fc.constant(null),
      fc.string(),
      fc.array(fc.integer()),
      fc
        .integer({ min: 17, max: 60 })
        .map((depth) => ({ uuid: "x", properties: JSON.parse(`${"[".repeat(depth)}${"]".repeat(depth)}`) })),
      validEvent.map((e) => ({ ...e, event: "connect.unknown.thing" })),
      validEvent.map((e) => ({ ...e, properties: { ...e.properties, user_name: 42 } })),
    ),
  },
);

/** The client a body comes from: one of 250, by its length. */
const clientOf = (body: string) => `198.51.100.${(body.length % 250) + 1}`;

describe("invariants over random hostile bodies", () => {
  it("events: never a 5xx, accepted counted exactly once, rejected leave no trace, nothing identifying stored", async () => {
    const accepted = new Set<string>();
    const rejected = new Set<string>();
    await fc.assert(
      fc.asyncProperty(
        fc.array(anyEvent, { minLength: 1, maxLength: 12 }),
        fc.oneof({ weight: 9, arbitrary: fc.constant("teleport-connect") }, { weight: 1, arbitrary: fc.string() }),
        async (events, app) => {
          const sent = JSON.stringify({ app, events });
          const res = await postEvents(sent, {}, { ip: clientOf(sent) });
          expect(res.status).toBeLessThan(500);
          const body = (await res.json()) as { rejected?: { index: number }[]; error?: string };
          if (body.error) return; // the whole request was refused: nothing accepted
          const refused = new Set((body.rejected ?? []).map((r) => r.index));
          events.forEach((event, index) => {
            const uuid = (event as Event | null)?.uuid;
            if (typeof uuid !== "string") return;
            (refused.has(index) ? rejected : accepted).add(uuid.toLowerCase());
          });
        },
      ),
      { seed: SEED, numRuns: 80 },
    );
    for (const uuid of accepted) rejected.delete(uuid); // a uuid both refused and accepted elsewhere
    expect(accepted.size).toBeGreaterThan(50);
    expect(rejected.size).toBeGreaterThan(50);

    const keys = async () => (await aggregatesSnapshot(env.DB)).dedupeKeys;
    await eventually(async () => (((await keys()) ?? 0) >= accepted.size ? true : undefined), 30_000);
    expect(await keys()).toBe(accepted.size);
    // The archive holds every accepted event (at least once: a resend is archived again) and nothing else.
    const archived = await archivedEvents();
    expect(new Set(archived.map((event) => event.uuid))).toEqual(accepted);
    const counted = await env.DB.prepare("SELECT COALESCE(SUM(count), 0) AS n FROM daily_event_counts").first<{
      n: number;
    }>();
    expect(counted?.n).toBe(accepted.size);

    expect(sentHostile.size).toBeGreaterThan(20);
    for (const { table, column, value } of await allStoredStrings()) {
      expect(findPii(value), `${table}.${column} = ${JSON.stringify(value)}`).toBeUndefined();
      expect(sentHostile.has(value), `${table}.${column} stores the hostile value ${JSON.stringify(value)}`).toBe(
        false,
      );
      for (const hostile of sentHostile) {
        if (hostile.length > 12) expect(value.includes(hostile), `${table}.${column} contains ${hostile}`).toBe(false);
      }
    }
    for (const event of archived) {
      expect(installId(event.distinct_id)).toBe(event.distinct_id);
      const properties = event.properties as Record<string, unknown>;
      for (const field of ["cluster_name", "user_name"]) expect(isDigest(properties[field])).toBe(true);
      expect(
        Object.keys(properties).every(
          (name) =>
            name in (catalogue.events["connect.protocol.use"]?.properties ?? {}) ||
            name in (catalogue.apps["teleport-connect"]?.commonProperties ?? {}),
        ),
      ).toBe(true);
    }
    expect((await env.DB.prepare("SELECT COUNT(*) AS n FROM parked_messages").first<{ n: number }>())?.n).toBe(0);
  }, 60_000); // 80 requests and the queue drained: about 15 s alone, longer on a busy machine

  it("usage reports: never a 5xx, accepted stored exactly once, rejected not stored", async () => {
    const { tenant, issued } = await tenantWithToken(`props-${crypto.randomUUID().slice(0, 8)}`);
    const accepted = new Set<string>();
    const validReport = fc
      .record({
        uuid: fc.uuid({ version: 4 }),
        users: fc.array(digest, { minLength: 1, maxLength: 5 }),
        cluster: digest,
        host: digest,
        minutesAgo: fc.integer({ min: 0, max: 600 }),
      })
      .map((r) => ({
        kind: "user_activity",
        report_uuid: r.uuid,
        cluster_name: r.cluster,
        reporter_hostid: r.host,
        start_time: new Date(Date.now() - r.minutesAgo * 60_000).toISOString(),
        records: r.users.map((user_name) => ({ user_name, user_kind: "human", logins: 1 })),
      }));
    const anyReport = fc.oneof(
      validReport,
      fc
        .tuple(
          validReport,
          fc.constantFrom("cluster_name", "reporter_hostid", "start_time", "report_uuid", "kind"),
          hostileString,
        )
        .map(([r, field, value]) => ({ ...r, [field]: value })),
      fc.tuple(validReport, hostileString).map(([r, user]) => ({ ...r, records: [{ user_name: user, logins: 1 }] })),
      fc.oneof(
        fc.constant(null),
        fc.string(),
        fc
          .integer({ min: 17, max: 40 })
          .map((depth) => ({ records: JSON.parse(`${"[".repeat(depth)}${"]".repeat(depth)}`) })),
      ),
    );
    await fc.assert(
      fc.asyncProperty(fc.array(anyReport, { minLength: 1, maxLength: 10 }), async (reports) => {
        const sent = JSON.stringify({ reports });
        const res = await postUsage(sent, bearer(issued.token), { ip: clientOf(sent) });
        expect(res.status).toBeLessThan(500);
        const body = (await res.json()) as { rejected?: { index: number }[]; error?: string };
        if (body.error) return;
        const refused = new Set((body.rejected ?? []).map((r) => r.index));
        reports.forEach((report, index) => {
          const uuid = (report as { report_uuid?: unknown } | null)?.report_uuid;
          if (!refused.has(index) && typeof uuid === "string") accepted.add(uuid.toLowerCase());
        });
      }),
      { seed: SEED, numRuns: 60 },
    );
    const stored = (
      await env.DB.prepare("SELECT report_uuid FROM usage_reports WHERE tenant_id = ?1")
        .bind(tenant.id)
        .all<{ report_uuid: string }>()
    ).results.map((r) => r.report_uuid);
    expect(accepted.size).toBeGreaterThan(20);
    expect(new Set(stored)).toEqual(accepted);
    expect(stored.length).toBe(accepted.size);
    for (const { table, column, value } of await allStoredStrings()) {
      expect(findPii(value), `${table}.${column} = ${JSON.stringify(value)}`).toBeUndefined();
    }
  });
});
