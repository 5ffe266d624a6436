import { describe, expect, it } from "vitest";
import { batchJudge, judgeEvent } from "../../src/ingest/judge-event";
import { batch, eventContext, type IngestResult, protocolUse, randomDigest } from "../helpers/events";
import { postEvents } from "../helpers/harness";

async function ingest(events: unknown[], extra: Record<string, unknown> = {}) {
  const res = await postEvents({ app: "teleport-connect", events, ...extra });
  return { status: res.status, body: (await res.json()) as IngestResult };
}

describe("POST /v1/events: per-event validation", () => {
  it("accepts a valid batch with 202", async () => {
    const { status, body } = await ingest([protocolUse(), protocolUse()]);
    expect(status).toBe(202);
    expect(body).toEqual({
      accepted: 2,
      duplicates: 0,
      rejected: [],
      dropped_properties: {},
      reduced_properties: {},
    });
  });

  it("rejects plain values in anonymized fields, keeping the valid events", async () => {
    const plainUser = protocolUse({ properties: { user_name: "alice@example.com" } });
    const plainCluster = protocolUse({ properties: { cluster_name: "teleport.example.com" } });
    const { status, body } = await ingest([protocolUse(), plainUser, plainCluster]);
    expect(status).toBe(202);
    expect(body.accepted).toBe(1);
    expect(body.rejected).toEqual([
      expect.objectContaining({
        index: 1,
        uuid: plainUser.uuid,
        error: "not_anonymized",
        field: "properties.user_name",
      }),
      expect.objectContaining({ index: 2, error: "not_anonymized", field: "properties.cluster_name" }),
    ]);
    expect(body.rejected[0]?.message).toMatch(/HMAC-SHA256 digest/);
    // The error never echoes the plain value back.
    expect(JSON.stringify(body)).not.toContain("alice@example.com");
  });

  it("rejects an IP address where a digest belongs", async () => {
    const { body } = await ingest([protocolUse({ properties: { user_name: "10.0.0.1" } })]);
    expect(body.rejected[0]).toMatchObject({ error: "not_anonymized" });
  });

  it("stores a job role outside the dialog's list as Other, and says so", async () => {
    const jobRole = (job_role: unknown) => ({
      uuid: crypto.randomUUID(),
      event: "connect.user.job_role",
      distinct_id: crypto.randomUUID(),
      timestamp: new Date().toISOString(),
      properties: { job_role },
    });
    const { status, body } = await ingest([
      jobRole("Software Engineer"),
      jobRole("ask me at alice@example.com"),
      jobRole("sre on 10.1.2.3"),
      jobRole("Other"),
      jobRole(7),
    ]);
    expect(status).toBe(202);
    expect(body.accepted).toBe(4);
    expect(body.rejected.map((r) => [r.index, r.error, r.field])).toEqual([
      [4, "invalid_property", "properties.job_role"],
    ]);
    expect(body.reduced_properties).toEqual({ "connect.user.job_role": { job_role: 2 } });
  });

  it.each([
    ["a missing uuid", { uuid: undefined }, "invalid_uuid", "uuid"],
    ["a malformed uuid", { uuid: "not-a-uuid" }, "invalid_uuid", "uuid"],
    ["a malformed timestamp", { timestamp: "yesterday" }, "invalid_timestamp", "timestamp"],
    ["a timestamp without offset", { timestamp: "2026-11-24T10:00:00" }, "invalid_timestamp", "timestamp"],
    ["an email as distinct_id", { distinct_id: "alice@example.com" }, "invalid_distinct_id", "distinct_id"],
    ["an unknown event", { event: "connect.unknown" }, "unknown_event", "event"],
    ["a missing event name", { event: undefined }, "invalid_event", "event"],
  ])("rejects %s", async (_, overrides, error, field) => {
    const { status, body } = await ingest([protocolUse(), protocolUse(overrides)]);
    expect(status).toBe(202);
    expect(body.accepted).toBe(1);
    expect(body.rejected).toEqual([expect.objectContaining({ index: 1, error, field })]);
  });

  it.each([
    ["a missing required property", { protocol: undefined }, "missing_property"],
    ["a value outside an enum", { protocol: "telnet" }, "invalid_property"],
    ["a wrong type", { protocol: 7 }, "invalid_property"],
    ["a bad version", { app_version: "latest" }, "invalid_property"],
    ["an overlong version", { app_version: `1.2.3-${"a".repeat(80)}` }, "value_too_long"],
  ])("rejects %s", async (_, properties, error) => {
    const { body } = await ingest([protocolUse({ properties })]);
    expect(body.rejected[0]).toMatchObject({ index: 0, error });
  });

  it("rejects non-object events", async () => {
    const { body } = await ingest([protocolUse(), "hello", null, [1]]);
    expect(body.accepted).toBe(1);
    expect(body.rejected.map((r) => r.error)).toEqual(["invalid_event", "invalid_event", "invalid_event"]);
  });

  it("answers 400 with the same body shape when every event is rejected", async () => {
    const { status, body } = await ingest([protocolUse({ uuid: "x" }), protocolUse({ event: "nope" })]);
    expect(status).toBe(400);
    expect(body.accepted).toBe(0);
    expect(body.rejected).toHaveLength(2);
  });

  it("drops undeclared properties, reporting a name only when the catalogue knows it", async () => {
    const { status, body } = await ingest([
      protocolUse({ properties: { alice_smith: "db-1", email: "a@b.c", job_role: "SRE" } }),
      protocolUse({ properties: { jdoe: "db-2", $os: "Linux" } }),
    ]);
    expect(status).toBe(202);
    expect(body.accepted).toBe(2);
    expect(body.dropped_properties).toEqual({ "connect.protocol.use": { "(other)": 3, job_role: 1, $os: 1 } });
  });

  it("counts a uuid repeated within a batch as a duplicate, not an event", async () => {
    const event = protocolUse();
    const { body } = await ingest([event, { ...event }, protocolUse()]);
    expect(body).toMatchObject({ accepted: 2, duplicates: 1, rejected: [] });
  });

  it("accepts optional properties when absent and digests of the empty string", async () => {
    const { body } = await ingest([
      protocolUse({ properties: { app_version: undefined, os: undefined, origin: "vnet", access_through: "vnet" } }),
      protocolUse({ properties: { user_name: "5LOz+9plhGhJjZk3WF3uRB1JAzs8I5E4v7+Pn249Z6U=" } }),
    ]);
    expect(body).toMatchObject({ accepted: 2, rejected: [] });
  });

  it("accepts a digest as distinct_id", async () => {
    const { body } = await ingest([protocolUse({ distinct_id: randomDigest() })]);
    expect(body.accepted).toBe(1);
  });
});

describe("POST /v1/events: batch-level errors", () => {
  it.each([
    ["an unknown app", { app: "nope", events: [protocolUse()] }, 400, "unknown_app"],
    ["no events", { app: "teleport-connect", events: [] }, 400, "invalid_batch"],
    ["events not an array", { app: "teleport-connect", events: {} }, 400, "invalid_batch"],
    ["a missing app", { events: [protocolUse()] }, 400, "invalid_batch"],
    ["a bad sent_at", batch([protocolUse()], { sent_at: "now" }), 400, "invalid_batch"],
    ["a JSON array body", [protocolUse()], 400, "invalid_batch"],
  ])("refuses %s", async (_, body, status, error) => {
    const res = await postEvents(body);
    expect(res.status).toBe(status);
    expect(await res.json()).toMatchObject({ error, message: expect.any(String) });
  });
});

describe("MAX_STRING_LENGTH", () => {
  it("caps every string property, below the catalogue's own caps when set lower", async () => {
    const jobRole = {
      uuid: crypto.randomUUID(),
      event: "connect.user.job_role",
      distinct_id: crypto.randomUUID(),
      timestamp: new Date().toISOString(),
      properties: { job_role: "Software Engineer" },
    };
    expect(judgeEvent(jobRole, eventContext({ maxStringLength: 256 })).ok).toBe(true);
    expect(judgeEvent(jobRole, eventContext({ maxStringLength: 10 }))).toEqual({
      ok: false,
      error: "value_too_long",
      field: "properties.job_role",
      message: expect.stringMatching(/10/),
    });
  });
});

describe("a batch's memory of checked strings", () => {
  it("remembers a string only for the check it passed", () => {
    const install = crypto.randomUUID();
    const digest = randomDigest();
    const judge = batchJudge(eventContext());
    // An accepted install id (a UUID) is not thereby a digest.
    expect(judge(protocolUse({ distinct_id: install })).ok).toBe(true);
    expect(judge(protocolUse({ properties: { cluster_name: install } }))).toMatchObject({
      ok: false,
      error: "not_anonymized",
    });
    // A digest accepted as a property is accepted as an install id too: both checks accept digests.
    expect(judge(protocolUse({ properties: { user_name: digest } })).ok).toBe(true);
    expect(judge(protocolUse({ distinct_id: digest })).ok).toBe(true);
    // A refused string stays refused, however often it comes back.
    for (let i = 0; i < 3; i++) {
      expect(judge(protocolUse({ properties: { user_name: "alice@example.com" } })).ok).toBe(false);
    }
  });
});
