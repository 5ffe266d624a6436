import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { runNode } from "./run-node";
import { type RunningCollector, startCollector } from "./wrangler-dev";

/**
 * The built SDK (`edgehog/client`, through package.json `exports`) in real Node processes, the
 * examples/ scripts as a user runs them, against the collector under wrangler dev.
 */

interface Stats {
  days: { day: string; events: Record<string, number>; active_installs: number }[];
  active_installs: number;
}

const PROMPT = "Are you OK sending anonymized usage data about Teleport Connect?";

describe("the built client package from Node, against wrangler dev", () => {
  let collector: RunningCollector;
  let stateDir: string;
  beforeAll(async () => {
    collector = await startCollector();
    stateDir = mkdtempSync(join(tmpdir(), "edgehog-client-e2e-"));
  });
  afterAll(async () => {
    await collector?.stop();
    if (stateDir) rmSync(stateDir, { recursive: true, force: true });
  });

  const admin = (path: string, init: RequestInit = {}) =>
    fetch(`${collector.url}${path}`, {
      ...init,
      headers: { authorization: `Bearer ${collector.adminToken}`, "content-type": "application/json" },
    });
  const example = (args: string[], state: string, input = "") =>
    runNode("examples/send-events.mjs", args, {
      env: { EDGEHOG_URL: collector.url, EDGEHOG_STATE: join(stateDir, state) },
      input,
    });
  /** The stats from yesterday to today (UTC), once `ready` holds (the queue drains asynchronously). */
  async function statsWhen(ready: (stats: Stats) => boolean): Promise<Stats> {
    const today = new Date().toISOString().slice(0, 10);
    const yesterday = new Date(Date.now() - 86_400_000).toISOString().slice(0, 10);
    const deadline = Date.now() + 20_000;
    for (;;) {
      const res = await admin(`/v1/stats/events?app=teleport-connect&from=${yesterday}&to=${today}`);
      const stats = (await res.json()) as Stats;
      if (ready(stats)) return stats;
      if (Date.now() > deadline) throw new Error(`the stats never got there: ${JSON.stringify(stats)}`);
      await new Promise((resolve) => setTimeout(resolve, 250));
    }
  }
  const total = (stats: Stats, event: string) => stats.days.reduce((n, day) => n + (day.events[event] ?? 0), 0);

  it("asks once, then sends on every run; the counts arrive; forgetting removes the install", async () => {
    const first = await example([], "allow.json", "a\n");
    expect(first.stdout).toContain(PROMPT);
    expect(first.stdout).toMatch(
      /Sent 4 events to .* as install [0-9a-f-]{36} \(rejected 0, dropped 0, still waiting 0\)/,
    );
    const install = first.stdout.match(/as install ([0-9a-f-]{36})/)?.[1];

    const second = await example([], "allow.json");
    expect(second.stdout).not.toContain(PROMPT);
    expect(second.stdout).toContain(`Sent 4 events to ${collector.url} as install ${install}`);

    const stats = await statsWhen((s) => total(s, "connect.protocol.use") === 4);
    expect(total(stats, "connect.cluster.login")).toBe(2);
    expect(total(stats, "connect.fileTransfer.run")).toBe(2);
    expect(stats.active_installs).toBe(1);

    // The archive holds the install's 8 events, as received today.
    const today = new Date().toISOString().slice(0, 10);
    const archived = async () =>
      (await (await admin(`/v1/admin/archive/events?day=${today}&app=teleport-connect`)).text())
        .split("\n")
        .filter((line) => line.includes(`"distinct_id":"${install}"`)).length;
    expect(await archived()).toBe(8);

    // Raw events are in R2, not D1: its daily row goes, its archive days are rewritten by the cron.
    const forgotten = await example(["--forget"], "allow.json");
    expect(forgotten.stdout).toContain("0 raw events and 1 daily rows deleted");
    const after = await statsWhen((s) => s.active_installs === 0);
    expect(total(after, "connect.protocol.use")).toBe(4); // anonymous counts stay
    expect(await archived()).toBe(0); // every export leaves a forgotten install out
    const objects = async () =>
      ((await (await admin(`/v1/admin/archive/objects?day=${today}`)).json()) as { events: number }).events;
    expect(await objects()).toBe(8);
    expect((await fetch(`${collector.url}/cdn-cgi/handler/scheduled?cron=17+*+*+*+*`)).status).toBe(200);
    expect(await objects()).toBe(0); // the objects themselves no longer hold its events
  });

  it("sends nothing when the user declines, and asks again next launch when the prompt is dismissed", async () => {
    const declined = await example([], "decline.json", "d\n");
    expect(declined.stdout).toContain("Usage data is off");
    expect((await example([], "decline.json")).stdout).not.toContain(PROMPT);

    const dismissed = await example([], "dismiss.json", "\n");
    expect(dismissed.stdout).toContain("No answer: nothing is collected");
    expect((await example([], "dismiss.json")).stdout).toContain(PROMPT);
  });

  it("delivers the usage reporter's reports: they show in the billing figures after the cron", async () => {
    const name = `e2e-${crypto.randomUUID().slice(0, 8)}`;
    expect((await admin("/v1/admin/tenants", { method: "POST", body: JSON.stringify({ name }) })).status).toBe(201);
    const issued = (await (await admin(`/v1/admin/tenants/${name}/tokens`, { method: "POST", body: "{}" })).json()) as {
      token: string;
    };
    const month = new Date().toISOString().slice(0, 7);
    const run = await runNode("examples/report-usage.mjs", [issued.token], { env: { EDGEHOG_URL: collector.url } });
    expect(run.stdout).toContain("Sent 3 usage reports");
    expect(run.stderr).toBe("");

    expect((await fetch(`${collector.url}/cdn-cgi/handler/scheduled?cron=17+*+*+*+*`)).status).toBe(200);
    const billing = (await (await admin(`/v1/billing/usage?month=${month}&tenant=${name}`)).json()) as {
      rows: { mau: number; tpr: number; mwi: number }[];
    };
    // MWI counts the bot and its instance: 2 in every reported hour.
    expect(billing.rows).toEqual([expect.objectContaining({ mau: 3, tpr: 4, mwi: 2 })]);
  });
});
