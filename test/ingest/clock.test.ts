import { describe, expect, it } from "vitest";
import { correctTimestamp, MAX_FUTURE_MS } from "../../src/ingest/clock";

const received = Date.parse("2026-11-24T12:00:00Z");
const hour = 3_600_000;

describe("clock-skew correction", () => {
  it("keeps the timestamp when sent_at is absent", () => {
    const t = received - 5 * hour;
    expect(correctTimestamp(t, received, undefined)).toBe(t);
  });

  it("re-bases on the collector's clock: received_at + (timestamp − sent_at)", () => {
    // The client's clock is 2 h fast: it says it sent at 14:00 an event from 13:30.
    const sentAt = received + 2 * hour;
    const t = sentAt - 30 * 60_000;
    expect(correctTimestamp(t, received, sentAt)).toBe(received - 30 * 60_000);
  });

  it("corrects a slow clock too", () => {
    const sentAt = received - 3 * 24 * hour;
    expect(correctTimestamp(sentAt - 1000, received, sentAt)).toBe(received - 1000);
  });

  it("clamps timestamps more than 23 h in the future to received_at", () => {
    expect(correctTimestamp(received + MAX_FUTURE_MS + 1, received, undefined)).toBe(received);
    expect(correctTimestamp(received + MAX_FUTURE_MS, received, undefined)).toBe(received + MAX_FUTURE_MS);
  });
});
