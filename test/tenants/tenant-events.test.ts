import { beforeEach, describe, expect, it, vi } from "vitest";
import { forgetCachedTokens } from "../../src/tenants/verify";
import { bearer, postEvents } from "../helpers/harness";
import { archivedWithUuid } from "../helpers/queue";
import { digestOf, tenantWithToken } from "../helpers/tenants";

async function heartbeatBatch(): Promise<Record<string, unknown>> {
  return {
    app: "teleport-cluster",
    events: [
      {
        uuid: crypto.randomUUID(),
        event: "tp.cluster.heartbeat",
        distinct_id: await digestOf("auth-host-1"),
        timestamp: new Date().toISOString(),
        properties: {
          teleport_version: "17.1.0",
          cluster_name: await digestOf("prod"),
          reporter_hostid: await digestOf("auth-host-1"),
          auth_servers: 2,
        },
      },
    ],
  };
}

describe("tenant-only events on POST /v1/events", () => {
  beforeEach(() => forgetCachedTokens());

  it("rejects a tenant-only event without a token", async () => {
    const res = await postEvents(await heartbeatBatch());
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ accepted: 0, rejected: [{ index: 0, error: "tenant_required" }] });
  });

  it("accepts it with a tenant token and stores it attributed to the tenant", async () => {
    const { tenant, issued } = await tenantWithToken("events-co");
    const batch = await heartbeatBatch();
    const [event] = batch.events as { uuid: string }[];
    const res = await postEvents(batch, bearer(issued.token));
    expect(res.status).toBe(202);
    expect(await res.json()).toMatchObject({ accepted: 1, rejected: [] });
    // The Queue consumer stores it; wait for the delivery, then check the attribution.
    await vi.waitFor(
      async () => {
        const archived = await archivedWithUuid(event?.uuid as string);
        expect(archived.map((stored) => stored.tenant_id)).toEqual([tenant.id]);
      },
      { timeout: 10_000, interval: 100 },
    );
  });

  it("answers 401 for an invalid token instead of treating the client as anonymous", async () => {
    const res = await postEvents(await heartbeatBatch(), bearer(`ehk_${"C".repeat(43)}`));
    expect(res.status).toBe(401);
    expect(res.headers.get("www-authenticate")).toMatch(/^Bearer /);
    expect(await res.json()).toMatchObject({ error: "unauthorized" });
  });

  it("refuses a plain name in a tenant-only event", async () => {
    const { issued } = await tenantWithToken("events-plain-co");
    const batch = await heartbeatBatch();
    const [event] = batch.events as { properties: Record<string, unknown> }[];
    if (event) event.properties.cluster_name = "prod.example.com";
    const res = await postEvents(batch, bearer(issued.token));
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({
      rejected: [{ error: "not_anonymized", field: "properties.cluster_name" }],
    });
  });
});
