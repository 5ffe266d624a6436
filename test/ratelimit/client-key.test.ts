import { describe, expect, it } from "vitest";
import { toHex } from "../../src/lib/bytes";
import { sha256 } from "../../src/lib/crypto";
import { clientKey } from "../../src/ratelimit/client-key";

const secret = "a-test-secret-of-enough-length";
const day1 = Date.UTC(2026, 2, 1, 10, 0, 0);

describe("client key (daily-salted hash of the IP)", () => {
  it("never contains the IP and is a 256-bit hex digest", async () => {
    for (const ip of ["203.0.113.7", "2001:db8::1", "unknown"]) {
      const key = await clientKey(secret, ip, day1);
      expect(key).not.toBe(ip);
      expect(key).not.toContain(ip);
      expect(key).toMatch(/^[0-9a-f]{64}$/);
    }
  });

  it("is stable within a UTC day and differs across days and secrets", async () => {
    const ip = "203.0.113.7";
    const morning = await clientKey(secret, ip, Date.UTC(2026, 2, 1, 0, 0, 1));
    const evening = await clientKey(secret, ip, Date.UTC(2026, 2, 1, 23, 59, 59));
    const nextDay = await clientKey(secret, ip, Date.UTC(2026, 2, 2, 0, 0, 1));
    expect(evening).toBe(morning);
    expect(nextDay).not.toBe(morning);
    expect(await clientKey("another-secret-of-enough-length", ip, day1)).not.toBe(morning);
    expect(await clientKey(secret, "203.0.113.8", day1)).not.toBe(morning);
  });

  it("is not a plain hash of the IP", async () => {
    const ip = "203.0.113.7";
    expect(await clientKey(secret, ip, day1)).not.toBe(toHex(await sha256(ip)));
  });
});
