/** The ledger of forwarded uuids: how long it remembers, and how much one lookup can carry. */
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { alreadyForwarded, recordForwarded } from "../../src/forward/store";
import { runHourlyCron } from "../helpers/harness";

describe("the ledger of forwarded events (cron)", () => {
  it("forgets uuids forwarded longer ago than RAW_EVENT_RETENTION_DAYS, like the raw events", async () => {
    const day = 86_400_000;
    const now = Date.parse("2026-11-24T12:00:00Z");
    const [old, recent] = [crypto.randomUUID(), crypto.randomUUID()];
    await recordForwarded(env.DB, "teleport-connect", [old], now - 31 * day, { forwarded: 1 });
    await recordForwarded(env.DB, "teleport-connect", [recent], now - 29 * day, { forwarded: 1 });
    expect(await alreadyForwarded(env.DB, [old, recent])).toEqual(new Set([old, recent]));

    await runHourlyCron(now);

    expect(await alreadyForwarded(env.DB, [old, recent])).toEqual(new Set([recent]));
    const run = await env.DB.prepare("SELECT ok, summary FROM cron_runs WHERE job = 'retention'").first<{
      ok: number;
      summary: string;
    }>();
    expect(run?.ok).toBe(1);
    expect(run?.summary).toContain("1 forwarded_ids");
  });

  it("looks up and records more uuids than one D1 statement could carry", async () => {
    const uuids = Array.from({ length: 12_000 }, () => crypto.randomUUID());
    for (let start = 0; start < uuids.length; start += 500) {
      await recordForwarded(env.DB, "teleport-connect", uuids.slice(start, start + 500), Date.now(), {
        forwarded: 500,
      });
    }
    const unknown = crypto.randomUUID();
    const found = await alreadyForwarded(env.DB, [...uuids, unknown]);
    expect(found.size).toBe(uuids.length);
    expect(found.has(unknown)).toBe(false);
  });
});
