import { describe, expect, it } from "vitest";
import { type IngestResult, randomDigest } from "../helpers/events";
import { bearer, postEvents } from "../helpers/harness";
import { tenantWithToken } from "../helpers/tenants";

/**
 * The privacy classes Teleport's events brought into the catalogue, through POST /v1/events:
 * a digest that also takes Teleport's preset role names (and never vouches for them as digests
 * elsewhere in the batch), a random run id, a count that may be negative.
 */

const event = (name: string, properties: Record<string, unknown>) => ({
  uuid: crypto.randomUUID(),
  event: name,
  distinct_id: crypto.randomUUID(),
  timestamp: new Date().toISOString(),
  properties: { cluster_name: randomDigest(), ...properties },
});

async function send(events: unknown[]): Promise<IngestResult> {
  const { issued } = await tenantWithToken(`classes-${crypto.randomUUID().slice(0, 8)}`);
  const res = await postEvents({ app: "teleport-cluster", events }, bearer(issued.token));
  return (await res.json()) as IngestResult;
}

describe("Teleport's property classes", () => {
  it("takes a preset role's name in clear, stores any other plain role name as other, and never lets a preset pass as a digest", async () => {
    const result = await send([
      event("tp.role.create", { user_name: randomDigest(), role_name: "editor" }),
      event("tp.role.create", { user_name: randomDigest(), role_name: "alice-admins" }),
      // The same batch: "editor" was accepted above, but only as a preset, never as a user's digest.
      event("tp.kube.request", { user_name: "editor" }),
    ]);
    expect(result.accepted).toBe(2);
    expect(result.rejected).toMatchObject([{ index: 2, error: "not_anonymized", field: "properties.user_name" }]);
    expect(result.reduced_properties).toEqual({ "tp.role.create": { role_name: 1 } });
  });

  it("takes a wizard's run id only when it is random", async () => {
    const result = await send([
      event("tp.ui.discover.started", { metadata_id: crypto.randomUUID(), metadata_user_name: randomDigest() }),
      event("tp.ui.discover.started", { metadata_id: randomDigest() }),
      event("tp.ui.discover.started", { metadata_id: "wizard-42" }),
      event("tp.ui.discover.started", { metadata_id: "6ba7b810-9dad-11d1-80b4-00c04fd430c8" }), // v1: a MAC and a time
    ]);
    expect(result.accepted).toBe(2);
    expect(result.rejected.map((r) => [r.index, r.error, r.field])).toEqual([
      [2, "invalid_property", "properties.metadata_id"],
      [3, "invalid_property", "properties.metadata_id"],
    ]);
  });

  it("takes a count below zero where the catalogue allows one", async () => {
    const result = await send([
      event("tp.accessList.review.create", { user_name: randomDigest(), days_past_next_audit_date: -5 }),
      event("tp.accessList.grantsToUser", { user_name: randomDigest(), count_roles_granted: -1 }),
    ]);
    expect(result.accepted).toBe(1);
    expect(result.rejected).toMatchObject([{ index: 1, error: "invalid_property" }]);
  });
});
