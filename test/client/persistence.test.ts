import { describe, expect, it, vi } from "vitest";
import { createClient } from "../../packages/client/src/client";
import { type KeyValueStorage, memoryStorage } from "../../packages/client/src/storage";
import { accept, fakeCollector, type Respond, settle, status } from "./helpers";

/** What survives a restart (the unsent queue), and what `forget()` asks for and leaves behind. */

const options = {
  host: "https://collector.test",
  app: "teleport-connect",
  flushAt: 1000,
  retry: { attempts: 1 },
} as const;
const QUEUE = "edgehog.teleport-connect.queue";

function open(storage: KeyValueStorage, respond?: Respond) {
  const collector = fakeCollector(respond);
  return { client: createClient({ ...options, storage, fetch: collector.fetch }), collector };
}

describe("the unsent queue", () => {
  it("survives a crash and is sent after the restart under the same uuids, then removed", async () => {
    const storage = memoryStorage();
    const before = open(storage, () => "network_error");
    before.client.setConsent(true);
    for (const role of ["a", "b", "c"]) before.client.capture("connect.user.job_role", { job_role: role });
    expect((await before.client.flush()).pending).toBe(3);
    const attempted = before.collector.events().map((e) => e.uuid);

    const after = open(storage);
    expect(after.client.distinctId).toBe(before.client.distinctId);
    expect(await after.client.flush()).toMatchObject({ sent: 3, pending: 0 });
    expect(after.collector.events().map((e) => e.uuid)).toEqual(attempted);
    expect(storage.getItem(QUEUE)).toBeNull();
  });

  it("is saved as soon as an event is queued, with digests only", async () => {
    const storage = memoryStorage();
    const { client } = open(storage);
    client.setConsent(true);
    client.capture("connect.accessRequest.review", { cluster_name: "prod", user_name: "alice" }, { clusterKey: "k" });
    await vi.waitFor(() => expect(storage.getItem(QUEUE)).not.toBeNull());
    const saved = storage.getItem(QUEUE) ?? "";
    expect(JSON.parse(saved)).toHaveLength(1);
    expect(saved).not.toContain("alice");
    expect(saved).not.toContain('"prod"');
  });

  it("ignores a corrupt saved queue instead of failing", async () => {
    const storage = memoryStorage();
    storage.setItem("edgehog.teleport-connect.consent", '"granted"');
    storage.setItem(QUEUE, "{not json");
    const { client } = open(storage);
    expect(await client.flush()).toMatchObject({ sent: 0, pending: 0 });
  });
});

describe("forget()", () => {
  it("asks the collector to delete the install, rotates the id and clears the queue", async () => {
    const storage = memoryStorage();
    const { client, collector } = open(storage, (request) =>
      request.url.endsWith("/v1/forget")
        ? Response.json({
            distinct_id: request.body.distinct_id,
            deleted: { events: 4, install_days: 2 },
            complete: true,
          })
        : accept(request),
    );
    client.setConsent(true);
    const old = client.distinctId;
    client.capture("connect.user.job_role", { job_role: "unsent" });
    await settle();
    expect(await client.forget()).toEqual({ events: 4, installDays: 2, pending: 0 });
    expect(collector.requests.map((r) => [r.url, r.body])).toEqual([
      ["https://collector.test/v1/forget", { app: "teleport-connect", distinct_id: old }],
    ]);
    expect(client.distinctId).not.toBe(old);
    expect(client.distinctId).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(storage.getItem(QUEUE)).toBeNull();
    client.capture("connect.user.job_role", { job_role: "after" });
    await client.flush();
    expect(collector.events().map((e) => [e.properties.job_role, e.distinct_id])).toEqual([
      ["after", client.distinctId],
    ]);
  });

  it("keeps an unanswered request and sends it again at the next start", async () => {
    const storage = memoryStorage();
    const first = open(storage, () => status(503, { "retry-after": "0" }));
    first.client.setConsent(true);
    const old = first.client.distinctId;
    expect(await first.client.forget()).toMatchObject({ events: 0, installDays: 0, pending: 1 });

    const forgets: unknown[] = [];
    open(storage, (request) => {
      forgets.push(request.body);
      return Response.json({ deleted: { events: 0, install_days: 0 }, complete: true });
    });
    await vi.waitFor(() => expect(storage.getItem("edgehog.teleport-connect.forget")).toBe("[]"));
    expect(forgets).toEqual([{ app: "teleport-connect", distinct_id: old }]);
  });

  it("works after consent was withdrawn, and leaves no install id behind", async () => {
    const storage = memoryStorage();
    const { client, collector } = open(storage, () => Response.json({ deleted: { events: 1, install_days: 1 } }));
    client.setConsent(true);
    const old = client.distinctId;
    client.setConsent(false);
    expect(client.distinctId).toBe(old);
    await client.forget();
    expect(collector.requests[0]?.body.distinct_id).toBe(old);
    expect(client.distinctId).toBeNull();
    expect(storage.getItem("edgehog.teleport-connect.id")).toBeNull();
  });

  it("repeats the request while the collector says more raw events remain", async () => {
    let calls = 0;
    const { client } = open(memoryStorage(), () =>
      Response.json({ deleted: { events: 10_000, install_days: calls === 0 ? 3 : 0 }, complete: ++calls >= 3 }),
    );
    client.setConsent(true);
    expect(await client.forget()).toEqual({ events: 30_000, installDays: 3, pending: 0 });
  });
});
