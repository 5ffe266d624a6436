import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { app } from "../../src/app";
import { bearer } from "../helpers/harness";
import { userActivityReport } from "../helpers/reports";
import { tenantWithToken } from "../helpers/tenants";

/** The real D1, but its transactions fail, as during an outage (the token is still read). */
const failingBatches = new Proxy(env.DB, {
  get(target, name) {
    if (name === "batch") return () => Promise.reject(new Error("D1_ERROR: database unavailable"));
    const value = Reflect.get(target, name);
    return typeof value === "function" ? value.bind(target) : value;
  },
});

describe("POST /v1/usage when D1 cannot store", () => {
  it("answers 503 storage_unavailable with Retry-After and stores nothing, never a 2xx", async () => {
    const { tenant, issued } = await tenantWithToken(`store-down-${crypto.randomUUID().slice(0, 8)}`);
    const report = await userActivityReport({ start: new Date().toISOString(), users: ["a"] });
    const ctx = createExecutionContext();
    const res = await app.fetch(
      new Request("http://edgehog.test/v1/usage", {
        method: "POST",
        headers: { "content-type": "application/json", ...bearer(issued.token) },
        body: JSON.stringify({ reports: [report] }),
      }),
      { ...env, DB: failingBatches },
      ctx,
    );
    await waitOnExecutionContext(ctx);
    expect(res.status).toBe(503);
    expect(res.headers.get("retry-after")).toBe("5");
    expect(await res.json()).toMatchObject({
      error: "storage_unavailable",
      message: expect.stringMatching(/try again/),
    });
    const stored = await env.DB.prepare("SELECT COUNT(*) AS n FROM usage_reports WHERE tenant_id = ?1")
      .bind(tenant.id)
      .first<{ n: number }>();
    expect(stored?.n).toBe(0);
  });
});
