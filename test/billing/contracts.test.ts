import fc from "fast-check";
import { Webhook } from "standardwebhooks";
import { beforeAll, describe, expect, it } from "vitest";
import { MAX_QUANTITY } from "../../src/billing/contracts";
import { signWebhook } from "../../src/billing/webhooks/signature";
import { fromBase64 } from "../../src/lib/bytes";
import { operatorCall, rows } from "../helpers/harness";
import { WEBHOOK_SECRET, WEBHOOKS } from "../helpers/webhooks";

/**
 * The operator's contract API: `PUT/GET /v1/admin/tenants/{tenant}/contract` and the tenant's
 * own webhook endpoint (`PUT/DELETE …/webhook`). Any body either is a contract, stored and read
 * back as sent, or gets a 400 with `{ error, message }`; never a 5xx.
 */

/** The operator API under /v1/admin, the answer read whole; `bindings` replace the test's own. */
function call(method: string, path: string, body?: unknown, bindings?: Partial<Env>) {
  return operatorCall<Record<string, unknown>>(method, `/v1/admin${path}`, body, bindings ? { bindings } : {});
}

function isJson(text: string): boolean {
  try {
    JSON.parse(text);
    return true;
  } catch {
    return false;
  }
}

beforeAll(async () => {
  const res = await call("POST", "/tenants", { name: "contract-co" });
  expect(res.status).toBe(201);
});

const quantity = fc.option(fc.integer({ min: 1, max: MAX_QUANTITY }), { nil: undefined });
const validContract = fc.record(
  {
    plan: fc.stringMatching(/^[a-z0-9][a-z0-9_-]{0,31}$/),
    reporting_required: fc.boolean(),
    mau: quantity,
    tpr: quantity,
    mwi: quantity,
  },
  { requiredKeys: ["plan", "reporting_required"] },
);

describe("PUT /v1/admin/tenants/{tenant}/contract", () => {
  it("stores any valid contract and reads it back as sent; a quantity left out is no longer contracted", async () => {
    await fc.assert(
      fc.asyncProperty(validContract, async (contract) => {
        const put = await call("PUT", "/tenants/contract-co/contract", contract);
        expect(put.status).toBe(200);
        const got = (await call("GET", "/tenants/contract-co/contract")).body as {
          tenant: { plan: string };
          contract: Record<string, unknown>;
        };
        expect(got.tenant.plan).toBe(contract.plan);
        expect(got.contract).toMatchObject({
          plan: contract.plan,
          reporting_required: contract.reporting_required,
          mau: contract.mau ?? null,
          tpr: contract.tpr ?? null,
          mwi: contract.mwi ?? null,
        });
        expect(got.contract.reporting_required_since === null).toBe(!contract.reporting_required);
      }),
      { seed: 20261206, numRuns: 25 },
    );
  });

  it("keeps the day reporting became required while it stays required", async () => {
    await call("PUT", "/tenants/contract-co/contract", { plan: "cloud", reporting_required: false });
    const first = (await call("PUT", "/tenants/contract-co/contract", { plan: "cloud", reporting_required: true }))
      .body as { contract: { reporting_required_since: string } };
    const again = (
      await call("PUT", "/tenants/contract-co/contract", { plan: "cloud", reporting_required: true, mau: 5 })
    ).body as { contract: { reporting_required_since: string } };
    expect(again.contract.reporting_required_since).toBe(first.contract.reporting_required_since);
  });

  it("answers anything else with a 400 and { error, message }, and changes nothing", async () => {
    await call("PUT", "/tenants/contract-co/contract", { plan: "kept", reporting_required: true, mau: 7 });
    const invalid = fc.oneof(
      fc.anything(),
      validContract.map((c) => ({ ...c, mau: 0 })),
      validContract.map((c) => ({ ...c, tpr: 1.5 })),
      validContract.map((c) => ({ ...c, mwi: MAX_QUANTITY + 1 })),
      validContract.map((c) => ({ ...c, plan: "Enterprise Plan" })),
      validContract.map((c) => ({ ...c, reporting_required: "yes" })),
      validContract.map((c) => ({ ...c, mau_quantity: 5 })),
      validContract.map(({ plan: _, ...c }) => c),
    );
    await fc.assert(
      fc.asyncProperty(invalid, async (value) => {
        // A string is sent as it is (the harness's raw body), anything else as its JSON.
        const body = value === undefined ? "" : value;
        const sent = typeof body === "string" ? body : JSON.stringify(body);
        const res = await call("PUT", "/tenants/contract-co/contract", body);
        expect(res.status).toBe(400);
        const answer = res.body as { error: string; message: string };
        // Text that is no JSON is the web framework's bad_request; any JSON value is judged as a contract.
        expect(isJson(sent) ? ["invalid_contract", "invalid_plan"] : ["bad_request"]).toContain(answer.error);
        expect(answer.message.length).toBeGreaterThan(10);
      }),
      { seed: 20261206, numRuns: 60 },
    );
    const got = (await call("GET", "/tenants/contract-co/contract")).body as { contract: unknown };
    expect(got.contract).toMatchObject({ plan: "kept", reporting_required: true, mau: 7 });
  });

  it("answers 404 for an unknown tenant", async () => {
    const res = await call("PUT", "/tenants/nobody/contract", { plan: "x", reporting_required: false });
    expect(res.status).toBe(404);
    expect(res.body).toMatchObject({ error: "unknown_tenant" });
  });
});

describe("a tenant's own webhook endpoint", () => {
  it("takes an https URL (http only on loopback) and answers the derived secret its receiver verifies with", async () => {
    for (const url of ["http://billing.example/in", "ftp://billing.example/in", "not a url"]) {
      const res = await call("PUT", "/tenants/contract-co/webhook", { url }, WEBHOOKS);
      expect(res.status, url).toBe(400);
      expect(res.body).toMatchObject({ error: "invalid_webhook_url" });
    }
    const unset = await call("PUT", "/tenants/contract-co/webhook", { url: "https://contract-co.example/in" });
    expect(unset.status).toBe(409);
    expect(unset.body).toMatchObject({ error: "webhook_secret_unset" });

    const res = await call("PUT", "/tenants/contract-co/webhook", { url: "https://contract-co.example/in" }, WEBHOOKS);
    expect(res.status).toBe(200);
    const { secret, url } = res.body as { secret: string; url: string };
    expect(url).toBe("https://contract-co.example/in");
    expect(secret).toMatch(/^whsec_/);
    expect(secret).not.toBe(WEBHOOK_SECRET);
    // What the tenant's endpoint is signed with verifies under this secret, and not under the deployment's.
    const now = Math.floor(Date.now() / 1000);
    const signed = await signWebhook(fromBase64(secret.slice(6)) as Uint8Array<ArrayBuffer>, "evt_0", now, "{}");
    expect(new Webhook(secret).verify("{}", { ...signed })).toEqual({});
    expect(() => new Webhook(WEBHOOK_SECRET).verify("{}", { ...signed })).toThrow("No matching signature");

    const stored = await rows("SELECT * FROM tenant_contracts");
    expect(JSON.stringify(stored)).not.toContain(secret.slice(6));
    expect((await call("DELETE", "/tenants/contract-co/webhook")).status).toBe(200);
    const got = (await call("GET", "/tenants/contract-co/contract")).body as {
      contract: { webhook_url: unknown };
    };
    expect(got.contract.webhook_url).toBeNull();
  });
});
