import { mkdtempSync, readFileSync, rmSync, statSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterEach, describe, expect, it } from "vitest";
import { createClient } from "../../packages/client/src/client";
import { fileStorage } from "../../packages/client/src/storage-file";
import { fakeCollector } from "./helpers";

/** `fileStorage` (edgehog/client/node): the SDK's state in one JSON file, as a Node or Electron app keeps it. */

const dirs: string[] = [];
function tempFile(): string {
  const dir = mkdtempSync(join(tmpdir(), "edgehog-client-"));
  dirs.push(dir);
  return join(dir, "nested", "edgehog.json");
}
afterEach(() => {
  for (const dir of dirs.splice(0)) rmSync(dir, { recursive: true, force: true });
});

describe("fileStorage", () => {
  it("keeps values across instances, in a file only its owner can read", () => {
    const path = tempFile();
    const storage = fileStorage(path);
    storage.setItem("a", "1");
    storage.setItem("b", "two");
    storage.removeItem("a");
    expect(fileStorage(path).getItem("b")).toBe("two");
    expect(fileStorage(path).getItem("a")).toBeNull();
    expect(JSON.parse(readFileSync(path, "utf8"))).toEqual({ b: "two" });
    expect(statSync(path).mode & 0o777).toBe(0o600);
  });

  it("starts afresh from a missing or corrupt file", () => {
    const path = tempFile();
    expect(fileStorage(path).getItem("x")).toBeNull();
    fileStorage(path).setItem("x", "1");
    writeFileSync(path, "{ half a fi");
    expect(fileStorage(path).getItem("x")).toBeNull();
  });

  it("carries a client's consent, install id and unsent events over a restart", async () => {
    const path = tempFile();
    const down = fakeCollector(() => "network_error");
    const first = createClient({
      host: "https://collector.test",
      app: "teleport-connect",
      storage: fileStorage(path),
      fetch: down.fetch,
      retry: { attempts: 1 },
    });
    first.setConsent(true);
    first.capture("connect.user.job_role", { job_role: "Engineer" });
    expect((await first.flush()).pending).toBe(1);

    const up = fakeCollector();
    const second = createClient({
      host: "https://collector.test",
      app: "teleport-connect",
      storage: fileStorage(path),
      fetch: up.fetch,
    });
    expect(second.consent).toBe("granted");
    expect(second.distinctId).toBe(first.distinctId);
    expect((await second.flush()).sent).toBe(1);
    expect(up.events().map((e) => e.uuid)).toEqual(down.events().map((e) => e.uuid));
    expect(Object.keys(JSON.parse(readFileSync(path, "utf8"))).sort()).toEqual([
      "edgehog.teleport-connect.consent",
      "edgehog.teleport-connect.id",
    ]);
  });
});
