import { describe, expect, it } from "vitest";
import { catalogue } from "../../src/catalog/definition";
import { featuresOf, MAX_FEATURE_BITS } from "../../src/catalog/feature-bits";
import { operatorCall } from "../helpers/harness";

/**
 * An app may declare more events and values than an install-day row has bits for (the Teleport
 * cluster's server-side events): the collector still starts, the first events are tracked, and
 * a question about one that is not gets a clear 400, never a 5xx or a wrong number.
 */
describe("events past the install-day row's bits", () => {
  it("are refused with a clear 400, while the app's tracked events answer", async () => {
    for (const app of Object.keys(catalogue.apps)) {
      const declared = Object.keys(catalogue.events).filter((name) => catalogue.events[name]?.apps.includes(app));
      const tracked = featuresOf(app)?.events ?? new Map();
      expect(featuresOf(app)?.features.length).toBeLessThanOrEqual(MAX_FEATURE_BITS);
      expect(tracked.size).toBe(Math.min(declared.length, MAX_FEATURE_BITS));
      const q = `app=${app}&from=2026-11-02&to=2026-11-08`;
      const adoption = await operatorCall("GET", `/v1/insights/adoption?${q}`);
      expect(adoption.status).toBe(200);
      const untracked = declared.find((name) => !tracked.has(name));
      if (!untracked) continue;
      const answer = await operatorCall("GET", `/v1/insights/funnel?${q}&steps=${declared[0]},${untracked}`);
      expect([answer.status, answer.body.error]).toEqual([400, "invalid_query"]);
      expect(String(answer.body.message)).toContain("not tracked per install");
    }
    // Teleport Connect's every event and value is tracked.
    expect(featuresOf("teleport-connect")?.events.size).toBe(
      Object.values(catalogue.events).filter((e) => e.apps.includes("teleport-connect")).length,
    );
  });
});
