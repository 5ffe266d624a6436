import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort } from "../../scripts/lib/wrangler-dev.mjs";
import { runNode } from "./run-node";
import { type RunningCollector, startCollector } from "./wrangler-dev";

/**
 * `npm run doctor` against the collector under wrangler dev, as an operator runs it after a
 * deploy: every check passes on a complete collector, its test event is counted in the stats,
 * and each failure it can meet is a ✗ line and exit 1.
 */
describe("npm run doctor", () => {
  let collector: RunningCollector;
  beforeAll(async () => {
    collector = await startCollector();
  });
  afterAll(async () => {
    await collector?.stop();
  });

  const doctor = (...args: string[]) => runNode("scripts/doctor.mjs", ["--url", collector.url, ...args]);

  it("passes every check of a running collector, and its test event is counted", async () => {
    const { code, stdout, stderr } = await doctor("--token", collector.adminToken);
    const lines = stdout.trim().split("\n");
    expect(stderr).toBe("");
    expect(lines[0]).toBe(`edgehog doctor: ${collector.url}`);
    expect(lines.slice(1).filter((line) => !line.startsWith("✓ "))).toEqual([]);
    expect(lines.slice(1).map((line) => line.replace(/:.*|after [\d.]+ s| \(.*\)$/g, ""))).toEqual([
      "✓ GET /healthz answers",
      "✓ the operator API accepts the token",
      "✓ D1 DB",
      "✓ Queue EVENTS_QUEUE",
      "✓ Queue FORWARD_QUEUE",
      "✓ Queue WEBHOOK_QUEUE",
      "✓ R2 ARCHIVE",
      "✓ Durable Object RATE_LIMITER",
      "✓ secret ADMIN_TOKEN",
      "✓ secret RATE_LIMIT_SALT_SECRET",
      "✓ secret POSTHOG_API_KEY",
      "✓ secret BILLING_WEBHOOK_SECRET",
      "✓ POST /v1/events accepted a test event",
      "✓ the test event was stored and counted ",
    ]);
    expect(code).toBe(0);

    const today = new Date().toISOString().slice(0, 10);
    const stats = (await (
      await fetch(`${collector.url}/v1/stats/events?app=teleport-connect&from=${today}&to=${today}`, {
        headers: { authorization: `Bearer ${collector.adminToken}` },
      })
    ).json()) as { days: { events: Record<string, number> }[] };
    expect(stats.days[0]?.events).toEqual({ "connect.protocol.use": 1 });
  });

  it("fails, exit 1, when the operator API refuses the token", async () => {
    const { code, stdout } = await doctor("--token", "not-the-operator-token", "--skip-event");
    expect(stdout).toContain("✓ GET /healthz answers\n");
    expect(stdout).toContain("✗ the operator API refuses: 401 unauthorized: a valid operator token is required");
    expect(stdout).toMatch(/1 check failed\n$/);
    expect(code).toBe(1);
  });

  it("fails, exit 1, when nothing answers", async () => {
    const { code, stdout } = await runNode("scripts/doctor.mjs", ["--url", `http://127.0.0.1:${await freePort()}`]);
    expect(stdout).toMatch(/^✗ GET \/healthz: cannot reach the collector/m);
    expect(code).toBe(1);
  });
});
