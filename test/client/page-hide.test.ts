import { afterEach, beforeEach, describe, expect, it } from "vitest";
import { createClient } from "../../packages/client/src/client";
import { memoryStorage } from "../../packages/client/src/storage";
import { fakeCollector, settle } from "./helpers";

/**
 * Page hide in a browser, with the page's events stood in for: what is queued leaves in one
 * keepalive request (text/plain, so no preflight; within the browsers' 64 KiB keepalive cap),
 * and stays saved until the collector answers. The real thing runs in test/browser/client.test.ts.
 */

type Listener = () => void;
const listeners = new Map<string, Listener>();
const page = globalThis as unknown as Record<string, unknown>;

beforeEach(() => {
  page.addEventListener = (type: string, listener: Listener) => listeners.set(type, listener);
  page.removeEventListener = (type: string) => listeners.delete(type);
  page.document = {
    visibilityState: "visible",
    addEventListener: (type: string, listener: Listener) => listeners.set(type, listener),
    removeEventListener: (type: string) => listeners.delete(type),
  };
});
afterEach(() => {
  delete page.addEventListener;
  delete page.removeEventListener;
  delete page.document;
  listeners.clear();
});

const options = {
  host: "https://collector.test",
  app: "teleport-connect",
  consent: "granted",
  flushAt: 10_000,
} as const;

describe("page hide", () => {
  it("sends the queue in one keepalive text/plain request and keeps it saved until answered", async () => {
    let answer: (() => void) | undefined;
    const collector = fakeCollector();
    const storage = memoryStorage();
    createClient({
      ...options,
      storage,
      fetch: (url, init) =>
        new Promise((resolve) => {
          answer = () => resolve(collector.fetch(url, init));
        }),
    }).capture("connect.user.job_role", { job_role: "SRE" });
    await settle();
    listeners.get("pagehide")?.();
    answer?.();
    expect(collector.requests).toHaveLength(1);
    expect(collector.requests[0]).toMatchObject({ keepalive: true, headers: { "content-type": "text/plain" } });
    expect(storage.getItem("edgehog.teleport-connect.queue")).toContain("SRE");
    await settle();
    expect(storage.getItem("edgehog.teleport-connect.queue")).toBeNull(); // answered: settled
  });

  it("also sends when the page becomes hidden, and stays within 64 KiB", async () => {
    const collector = fakeCollector();
    const client = createClient({ ...options, storage: memoryStorage(), fetch: collector.fetch });
    for (let i = 0; i < 1000; i++)
      client.capture("connect.user.job_role", { job_role: `role number ${i} `.padEnd(64, "x") });
    await settle();
    (page.document as { visibilityState: string }).visibilityState = "hidden";
    listeners.get("visibilitychange")?.();
    await settle();
    expect(collector.requests).toHaveLength(1);
    const sentBytes = JSON.stringify(collector.requests[0]?.body).length;
    expect(sentBytes).toBeLessThan(64 * 1024);
    expect(collector.events().length).toBeGreaterThan(100);
    expect((await client.flush()).sent).toBe(1000); // the rest follows the ordinary way
  });

  it("sends nothing on page hide without consent", async () => {
    const collector = fakeCollector();
    createClient({ ...options, consent: "denied", storage: memoryStorage(), fetch: collector.fetch });
    listeners.get("pagehide")?.();
    await settle();
    expect(collector.requests).toEqual([]);
  });
});
