import { createScheduledController } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import worker from "../../src/index";
import { aggregatesSnapshot, batchMessage, deliver, storedEvent } from "../helpers/queue";

describe("raw-event retention (cron)", () => {
  it("purges raw events older than RAW_EVENT_RETENTION_DAYS and keeps the aggregates", async () => {
    const day = 86_400_000;
    const now = Date.parse("2026-11-24T12:00:00Z");
    await deliver([batchMessage([storedEvent(), storedEvent()], { received_at: now - 31 * day })]);
    await deliver([batchMessage([storedEvent()], { received_at: now - 29 * day })]);
    const before = await aggregatesSnapshot(env.DB);
    expect(before.rawEvents).toBe(3);

    await worker.scheduled(createScheduledController({ scheduledTime: now, cron: "17 * * * *" }), env);

    const after = await aggregatesSnapshot(env.DB);
    expect(after.rawEvents).toBe(1);
    expect(after.counts).toEqual(before.counts);
    expect(after.installs).toEqual(before.installs);
  });
});
