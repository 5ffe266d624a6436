import fc from "fast-check";
import { describe, expect, it, vi } from "vitest";
import { createClient } from "../../packages/client/src/client";
import { type KeyValueStorage, memoryStorage } from "../../packages/client/src/storage";
import { fakeCollector, settle } from "./helpers";

/** Options that make sends happen only on flush(). */
const manual = {
  host: "https://collector.test",
  app: "teleport-connect",
  flushAt: 10_000,
  flushIntervalMs: 3_600_000,
} as const;

/** Every key a client wrote to its storage. */
function recordingStorage(): KeyValueStorage & { keys(): string[] } {
  const inner = memoryStorage();
  const keys = new Set<string>();
  return {
    getItem: (key) => inner.getItem(key),
    setItem(key, value) {
      keys.add(key);
      inner.setItem(key, value);
    },
    removeItem(key) {
      keys.delete(key);
      inner.removeItem(key);
    },
    keys: () => [...keys].sort(),
  };
}

describe("the consent gate", () => {
  it("in state unknown queues, stores and sends nothing, and persists no decision", async () => {
    const collector = fakeCollector();
    const storage = recordingStorage();
    const client = createClient({ ...manual, storage, fetch: collector.fetch });
    expect(client.consent).toBe("unknown");
    client.capture("connect.user.job_role", { job_role: "Engineer" });
    expect(await client.flush()).toEqual({ sent: 0, rejected: 0, dropped: 0, pending: 0, rejections: [] });
    expect(collector.requests).toEqual([]);
    expect(storage.keys()).toEqual([]);
    expect(client.distinctId).toBeNull();
  });

  it("starts collecting when granted; what was captured before is never sent", async () => {
    const collector = fakeCollector();
    const client = createClient({ ...manual, storage: memoryStorage(), fetch: collector.fetch });
    client.capture("connect.user.job_role", { job_role: "before" });
    client.setConsent(true);
    client.capture("connect.user.job_role", { job_role: "after" });
    expect((await client.flush()).sent).toBe(1);
    expect(collector.events().map((e) => e.properties.job_role)).toEqual(["after"]);
    expect(collector.events()[0]?.distinct_id).toBe(client.distinctId);
  });

  it("drops the queue and its persisted copy when denied, and aborts the request in flight", async () => {
    const storage = recordingStorage();
    let release: (() => void) | undefined;
    const aborted: boolean[] = [];
    const client = createClient({
      ...manual,
      storage,
      consent: "granted",
      fetch: (_url, init) =>
        new Promise((_resolve, reject) => {
          release = () => reject(new Error("never answered"));
          init.signal?.addEventListener("abort", () => {
            aborted.push(true);
            reject(new DOMException("aborted", "AbortError"));
          });
        }),
    });
    client.capture("connect.user.job_role", { job_role: "in flight" });
    await settle();
    const flushing = client.flush();
    await settle();
    client.capture("connect.user.job_role", { job_role: "waiting" });
    await settle();
    expect(storage.getItem("edgehog.teleport-connect.queue")).toContain("waiting");
    client.setConsent(false);
    expect(aborted).toEqual([true]);
    expect(storage.getItem("edgehog.teleport-connect.queue")).toBeNull();
    expect(storage.getItem("edgehog.teleport-connect.consent")).toBe('"denied"');
    expect((await flushing).pending).toBe(0);
    release?.();
    client.capture("connect.user.job_role", { job_role: "after denial" });
    expect((await client.flush()).sent).toBe(0);
  });

  it("persists the decision: a restart keeps it and the install id; an explicit option overrides it", async () => {
    const storage = memoryStorage();
    const first = createClient({ ...manual, storage, fetch: fakeCollector().fetch });
    first.setConsent(true);
    const again = createClient({ ...manual, storage, fetch: fakeCollector().fetch });
    expect(again.consent).toBe("granted");
    expect(again.distinctId).toBe(first.distinctId);
    const overridden = createClient({ ...manual, storage, consent: "denied", fetch: fakeCollector().fetch });
    expect(overridden.consent).toBe("denied");
    expect(createClient({ ...manual, storage, fetch: fakeCollector().fetch }).consent).toBe("denied");
  });

  it("sends exactly the events captured while granted and not dropped by a later denial, across restarts", async () => {
    type Op = "capture" | "grant" | "deny" | "flush" | "wait" | "restart";
    const command = fc.constantFrom<Op>("capture", "capture", "capture", "grant", "deny", "flush", "wait", "restart");
    await fc.assert(
      fc.asyncProperty(fc.array(command, { minLength: 5, maxLength: 40, size: "max" }), async (ops) => {
        const storage = memoryStorage();
        const collector = fakeCollector();
        const open = () => createClient({ ...manual, storage, fetch: collector.fetch });
        let client = open();
        let granted = false;
        let pending: string[] = [];
        const sent: string[] = [];
        for (const [i, op] of ops.entries()) {
          if (op === "capture") {
            client.capture("connect.user.job_role", { job_role: `role-${i}` });
            if (granted) pending.push(`role-${i}`);
          } else if (op === "grant" || op === "deny") {
            client.setConsent(op === "grant");
            granted = op === "grant";
            if (!granted) pending = [];
          } else if (op === "wait") {
            await settle(); // time passes: captures in progress are queued
          } else if (op === "flush") {
            await client.flush();
            sent.push(...pending);
            pending = [];
          } else {
            await settle(); // a crash once captures are queued: no shutdown, no flush
            client = open();
          }
        }
        await client.flush();
        sent.push(...pending);
        expect(collector.events().map((e) => e.properties.job_role)).toEqual(sent);
      }),
      { seed: 14, numRuns: 200 },
    );
  });
});

describe("the browser's privacy signals (Global Privacy Control, Do Not Track)", () => {
  it("count as no unless the user granted in the app; nothing is stored for them, and a grant still works", async () => {
    const signal = fc.record({
      globalPrivacyControl: fc.constantFrom(true, false, undefined),
      doNotTrack: fc.constantFrom("1", "0", "unspecified", null, undefined),
      windowDoNotTrack: fc.constantFrom("1", undefined),
    });
    await fc.assert(
      fc.asyncProperty(
        signal,
        fc.constantFrom("granted", "denied", undefined),
        fc.constantFrom("granted", "denied", undefined),
        async ({ globalPrivacyControl, doNotTrack, windowDoNotTrack }, stored, given) => {
          const says = globalPrivacyControl === true || doNotTrack === "1" || windowDoNotTrack === "1";
          vi.stubGlobal("navigator", { globalPrivacyControl, doNotTrack });
          vi.stubGlobal("doNotTrack", windowDoNotTrack);
          try {
            const storage = recordingStorage();
            if (stored) storage.setItem("edgehog.teleport-connect.consent", JSON.stringify(stored));
            const collector = fakeCollector();
            const client = createClient({ ...manual, storage, fetch: collector.fetch, consent: given });
            const expected = given ?? stored ?? (says ? "denied" : "unknown");
            expect(client.consent).toBe(expected);
            expect(storage.getItem("edgehog.teleport-connect.consent")).toBe(
              expected === "unknown" || (given === undefined && stored === undefined) ? null : JSON.stringify(expected),
            );
            client.capture("connect.user.job_role", { job_role: "SRE" });
            await client.flush();
            expect(collector.events()).toHaveLength(expected === "granted" ? 1 : 0);

            client.setConsent(true); // the user's own yes, in the app, outranks the browser's no
            client.capture("connect.user.job_role", { job_role: "Engineer" });
            await client.flush();
            expect(collector.events().at(-1)?.properties.job_role).toBe("Engineer");
          } finally {
            vi.unstubAllGlobals();
          }
        },
      ),
      { seed: 27, numRuns: 60 },
    );
  });
});
