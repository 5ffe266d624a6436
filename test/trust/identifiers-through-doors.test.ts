import { env } from "cloudflare:workers";
import { timestampFromMs } from "@bufbuild/protobuf/wkt";
import { Code, ConnectError } from "@connectrpc/connect";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { findApp } from "../../src/catalog/compile";
import { TeleportReportingService as UsageReportingService } from "../../src/prehog/gen/prehog/v1/teleport_pb";
import { ConnectReportingService } from "../../src/prehog/gen/prehog/v1alpha/connect_pb";
import { FORWARDING, storeForwarding } from "../forward/helpers";
import { protocolUse, randomDigest, type TestEvent } from "../helpers/events";
import { bearer, countRows, post } from "../helpers/harness";
import { disguisedIdentifier, readable } from "../helpers/identifiers";
import { archivedEvents, recordingEventsQueue } from "../helpers/queue";
import { allStoredStrings, type StoredString, stringsOf } from "../helpers/stored-strings";
import { tenantWithToken } from "../helpers/tenants";
import { uuidv7 } from "../helpers/uuidv7";
import { connectRequest } from "../prehog/fixtures";
import { client } from "../prehog/helpers";
import { digestBytes, uuidBytes } from "../prehog/wire";

/**
 * No identifier reaches storage through any door. Each run sends one identifier, disguised and
 * embedded (test/helpers/identifiers.ts), in every string a door takes: through `POST /v1/events`
 * (versions, the job role, the failed step, the connector type, a digest, the install id, a
 * property's name and value, the identifier as a property name `alice_example_com`), the PostHog door (`$app_version`, `$set` / `$set_once` person
 * properties, `$os`, the job role, `$` and plain properties) and the prehog door (the job role,
 * the failed step, the connector type, a user name; and in Teleport's usage reports, a summary's
 * session type and resource, an Identity Security provider). Then, once the queue has drained: no D1
 * row, no archive line and no event forwarded upstream contains it, and every stored property
 * is in its class.
 */

const SEED = 20261206;
const RUNS = 45;
// The doors' queue messages are kept, then stored by the events consumer with forwarding on, so
// what it forwards is recorded too.
const eventsQueue = recordingEventsQueue();
const bindings = { ...env, ...FORWARDING, EVENTS_QUEUE: eventsQueue.queue };

/** A POST from the next of 250 clients; its queue messages are kept for the consumer. */
let client_ip = 0;
function postFromNextClient(path: string, body: unknown): Promise<Response> {
  client_ip++;
  return post(path, body, { ip: `198.51.100.${client_ip % 250}`, bindings });
}

const jobRole = (job_role: string): TestEvent => ({
  ...protocolUse({ event: "connect.user.job_role" }),
  properties: { job_role },
});
const setup = (failed_step: string): TestEvent =>
  protocolUse({
    event: "connect.connectMyComputer.setup",
    properties: { success: false, failed_step, protocol: undefined, app_version: "17.0.1", os: "linux" },
  });

/** An identifier written as a property name the way code names keys: `alice_example_com`. */
const asName = (plain: string) => plain.replace(/[^0-9A-Za-z]+/g, "_");

/** The usage door's tenant, made on first use. */
let usageToken: Promise<string> | undefined;

const doors: Record<string, (sent: string, plain: string) => Promise<void>> = {
  async native(sent, plain) {
    const events = [
      protocolUse({ properties: { app_version: sent } }),
      protocolUse({ properties: { os_version: sent } }),
      protocolUse({ properties: { [sent]: sent, [asName(plain)]: 1 } }),
      protocolUse({ properties: { user_name: sent } }),
      protocolUse({ distinct_id: sent }),
      protocolUse({ event: "connect.cluster.login", properties: { connector_type: sent, protocol: undefined } }),
      jobRole(sent),
      setup(sent),
    ];
    const res = await postFromNextClient("/v1/events", { app: "teleport-connect", events });
    expect(res.status).toBe(202);
  },
  async posthog(sent, plain) {
    const event = (overrides: Record<string, unknown>, properties: Record<string, unknown>) => ({
      ...posthogEvent(),
      ...overrides,
      properties: { ...posthogEvent().properties, ...properties },
    });
    const batch = [
      event({}, { $app_version: sent, $os: sent }),
      event({ $set: { os_version: sent, app_version: sent } }, { $set_once: { "connect.os_version": sent } }),
      event({}, { [sent]: sent, [asName(plain)]: 1, $hostname: sent }),
      event({ event: "connect.user.job_role" }, { job_role: sent }),
    ];
    const res = await postFromNextClient("/batch/", { api_key: "teleport-connect", batch });
    expect(res.status).toBe(200);
  },
  async prehog(sent) {
    const rpc = client(ConnectReportingService, "connect+json", bindings);
    const [clusterName, userName] = [randomDigest(), randomDigest()];
    const events = [
      { case: "userJobRoleUpdate", value: { jobRole: sent } },
      { case: "connectMyComputerSetup", value: { clusterName, userName, success: false, failedStep: sent } },
      { case: "clusterLogin", value: { clusterName, userName, connectorType: sent } },
      { case: "clusterLogin", value: { clusterName, userName: sent, connectorType: "github" } },
    ] as const;
    for (const event of events) {
      try {
        await rpc.submitConnectEvent(connectRequest(event, crypto.randomUUID(), Date.now()));
      } catch (err) {
        // Refused as the client's mistake, never a server error.
        expect(ConnectError.from(err).code).toBe(Code.InvalidArgument);
      }
    }
    await prehogUsage(sent);
  },
};

/** SubmitUsageReports: the identifier as a session type and a provider (stored as other), then as a resource name (refused). */
async function prehogUsage(sent: string): Promise<void> {
  usageToken ??= tenantWithToken(`doors-${crypto.randomUUID()}`).then(({ issued }) => issued.token);
  const rpc = client(UsageReportingService, "connect+json", bindings);
  const header = () => ({
    reportUuid: uuidBytes(crypto.randomUUID()),
    clusterName: digestBytes(randomDigest()),
    reporterHostid: digestBytes(randomDigest()),
    startTime: timestampFromMs(Math.floor(Date.now() / 900_000) * 900_000 - 900_000),
  });
  const reports = (sessionType: string, resourceName: string, provider: string) => ({
    userActivity: [
      {
        ...header(),
        records: [
          {
            userName: digestBytes(randomDigest()),
            logins: 1n,
            sessionSummariesAccessed: [{ sessionType, resourceName, count: 1n }],
          },
        ],
      },
    ],
    identitySecuritySummariesReport: [
      { ...header(), records: [{ sessionType, resourceName, totalInputTokens: 5n, summariesGenerated: 1n }] },
    ],
    identitySecurityReport: [
      {
        ...header(),
        graphSizeRecords: [{ provider, totalIdentities: 3n, totalResources: 4n }],
        auditLogRecords: [{ provider, logsIngested: 7n }],
      },
    ],
  });
  const headers = bearer(await usageToken);
  // Listed fields: stored, the identifier as other (or refused when too long); then as a resource: refused.
  for (const request of [reports(sent, randomDigest(), sent), reports("ssh", sent, "aws")]) {
    try {
      await rpc.submitUsageReports(request, { headers });
    } catch (err) {
      expect(ConnectError.from(err).code).toBe(Code.InvalidArgument);
    }
  }
}

function posthogEvent() {
  return {
    uuid: uuidv7(),
    event: "connect.protocol.use",
    timestamp: new Date().toISOString(),
    properties: {
      distinct_id: uuidv7(),
      cluster_name: randomDigest(),
      user_name: randomDigest(),
      protocol: "ssh",
    },
  };
}

describe("no identifier reaches storage through any door", () => {
  it("native, PostHog and prehog: no D1 row, archive line or forwarded event holds one; all stored is in its class", async () => {
    const sent: { how: string; forbidden: string[] }[] = [];
    await fc.assert(
      fc.asyncProperty(disguisedIdentifier, fc.constantFrom(...Object.keys(doors)), async (id, door) => {
        const forbidden = [id.plain, id.sent, readable(id.plain), asName(id.plain)].filter((s) => s.length >= 7);
        sent.push({ how: `${id.how} via ${door}`, forbidden });
        await doors[door]?.(id.sent, id.plain);
      }),
      { seed: SEED, numRuns: RUNS },
    );

    const { acked, ids, messages: forwarded } = await storeForwarding(eventsQueue.bodies);
    expect(acked).toEqual(ids);
    // The usage door's reports with an identifier in their listed fields were stored.
    expect(await countRows("usage_reports", "kind = 'identity_security'")).toBeGreaterThan(0);
    const uuids = new Set(forwarded.flatMap((message) => message.events.map((event) => event.uuid)));
    expect(uuids.size).toBeGreaterThan(RUNS); // the valid parts of each request were stored
    const archived = new Set((await archivedEvents()).map((event) => event.uuid));
    expect([...uuids].filter((uuid) => !archived.has(uuid))).toEqual([]);

    const strings: StoredString[] = [
      ...(await allStoredStrings()),
      ...forwarded.flatMap((message) => stringsOf(message.events, "forwarded", "events")),
    ];
    for (const { table, column, value } of strings) {
      const seen = readable(value);
      for (const { how, forbidden } of sent) {
        for (const identifier of forbidden) {
          const found = value.includes(identifier) || seen.includes(identifier);
          expect(found, `${table}.${column} = ${JSON.stringify(value)} holds ${identifier} (${how})`).toBe(false);
        }
      }
    }

    // Whatever was stored, reduced or not, is in the class its property declares.
    const connect = findApp("teleport-connect");
    for (const event of await archivedEvents()) {
      const spec = connect?.events.get(event.event);
      for (const [name, value] of Object.entries(event.properties as Record<string, unknown>)) {
        expect(
          spec?.byName.get(name)?.check(value),
          `${event.event}.${name} = ${JSON.stringify(value)}`,
        ).toBeUndefined();
      }
    }
    console.log(`identifiers sent through the doors: ${sent.length} (seed ${SEED}); events stored: ${uuids.size}`);
  }, 60_000); // 45 requests over three doors, then the consumer: about 7 s alone, longer on a busy machine
});
