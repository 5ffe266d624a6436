import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { app, wholeApp } from "../../src/app";
import { LOCAL, signIn } from "../helpers/dashboard";
import { batch, protocolUse } from "../helpers/events";
import { uuidv7 } from "../helpers/uuidv7";
import { posthogJsEvent } from "../posthog/helpers";

/**
 * One rule for storage outages, on every route of the app: with D1, both Queues and R2 failing
 * (every call rejects, as in an outage), each route of the app (its parts loaded) answers either what it
 * answers without storage (it touches none) or `503 storage_unavailable` with Retry-After, in
 * its own form: JSON, the dashboard's page, a Connect error. Never a 500, never a 2xx that
 * claims what was not stored. A route added without a sample request here fails the test.
 */

const fail = () => Promise.reject(new Error("storage is down (test)"));

/** A D1 database in an outage: statements prepare and bind, every query rejects. */
function downDatabase(): D1Database {
  const statement: D1PreparedStatement = new Proxy({} as D1PreparedStatement, {
    get: (_target, name) => (name === "bind" ? () => statement : fail),
  });
  return new Proxy({} as D1Database, {
    get: (_target, name) => (name === "prepare" ? () => statement : fail),
  });
}
const downQueue = { send: fail, sendBatch: fail } as unknown as Queue;
const downBucket = { head: fail, get: fail, put: fail, list: fail, delete: fail } as unknown as R2Bucket;
const outage: Env = {
  ...env,
  DB: downDatabase(),
  EVENTS_QUEUE: downQueue,
  FORWARD_QUEUE: downQueue,
  WEBHOOK_QUEUE: downQueue,
  ARCHIVE: downBucket,
};

const ADMIN = { authorization: `Bearer ${env.ADMIN_TOKEN}` };
const JSON_TYPE = { "content-type": "application/json" };
/** A well-formed tenant token no cache knows: checking it needs D1. */
const tenantToken = () =>
  `ehk_${btoa(String.fromCharCode(...crypto.getRandomValues(new Uint8Array(32))))
    .replace(/\+/g, "-")
    .replace(/\//g, "_")
    .slice(0, 43)}`;

type Sample = { path?: string; init?: RequestInit; expect: "storage" | number };

const json = (body: unknown, headers: Record<string, string> = {}): RequestInit => ({
  method: "POST",
  headers: { ...JSON_TYPE, ...headers },
  body: JSON.stringify(body),
});
const operator = (init: RequestInit = {}): RequestInit => ({
  ...init,
  headers: { ...ADMIN, ...(init.headers as Record<string, string> | undefined) },
});
const capture = (method: string): RequestInit =>
  method === "GET"
    ? {}
    : { method, headers: JSON_TYPE, body: JSON.stringify({ api_key: "teleport-connect", batch: [posthogJsEvent()] }) };
const captureQuery = () => `?data=${btoa(JSON.stringify([posthogJsEvent()]))}`;
const usageReport = {
  kind: "user_activity",
  report_uuid: crypto.randomUUID(),
  cluster_name: `${"x".repeat(43)}=`,
  reporter_hostid: `${"y".repeat(43)}=`,
  start_time: new Date().toISOString(),
  records: [],
};

/** A request for each route that reaches its storage, and what it answers without storage. */
function sampleFor(method: string, path: string, cookie: string): Sample | undefined {
  if (path.startsWith("/prehog.") || path.startsWith("/prehog")) {
    return {
      init: json({}, { authorization: `Bearer ${tenantToken()}`, "connect-protocol-version": "1" }),
      expect: "storage",
    };
  }
  if (/^\/(batch|capture|e|i\/v0\/e|track)\/?$/.test(path)) {
    return {
      path: method === "GET" ? `${path}${captureQuery()}` : path,
      init: { ...capture(method), method },
      expect: "storage",
    };
  }
  if (/^\/(flags|decide)\/?$/.test(path)) return { init: { method }, expect: 200 };
  const page = (expectation: Sample["expect"], init: RequestInit = {}): Sample => ({
    init: { ...init, headers: { cookie, accept: "text/html", ...(init.headers as Record<string, string>) } },
    expect: expectation,
  });
  const samples: Record<string, Sample> = {
    "GET /": { expect: 200 },
    "GET /healthz": { expect: 200 },
    "GET /openapi.json": { expect: 200 },
    "GET /docs": { expect: 200 },
    "GET /v1/catalog": { expect: 200 },
    "GET /array/:token/config": { path: "/array/teleport-connect/config", expect: 200 },
    "GET /array/:token/config.js": { path: "/array/teleport-connect/config.js", expect: 200 },
    "POST /v1/events": { init: json(batch([protocolUse()])), expect: "storage" },
    "POST /v1/usage": {
      init: json({ reports: [usageReport] }, { authorization: `Bearer ${tenantToken()}` }),
      expect: "storage",
    },
    "POST /v1/forget": { init: json({ app: "teleport-connect", distinct_id: crypto.randomUUID() }), expect: "storage" },
    "GET /v1/stats/health": { init: operator(), expect: "storage" },
    "GET /v1/stats/events": {
      path: "/v1/stats/events?app=teleport-connect&from=2026-01-01&to=2026-01-31",
      init: operator(),
      expect: "storage",
    },
    "GET /v1/stats/breakdown": {
      path: "/v1/stats/breakdown?app=teleport-connect&from=2026-01-01&to=2026-01-31",
      init: operator(),
      expect: "storage",
    },
    "GET /v1/insights/breakdown": {
      path: "/v1/insights/breakdown?app=teleport-connect&from=2026-01-01&to=2026-01-31&event=connect.protocol.use&property=protocol",
      init: operator(),
      expect: "storage",
    },
    "GET /v1/insights/adoption": {
      path: "/v1/insights/adoption?app=teleport-connect&from=2026-01-01&to=2026-01-31",
      init: operator(),
      expect: "storage",
    },
    "GET /v1/insights/retention": {
      path: "/v1/insights/retention?app=teleport-connect&from=2026-01-01&to=2026-01-31",
      init: operator(),
      expect: "storage",
    },
    "GET /v1/insights/funnel": {
      path: "/v1/insights/funnel?app=teleport-connect&from=2026-01-01&to=2026-01-31&steps=connect.cluster.login,connect.protocol.use",
      init: operator(),
      expect: "storage",
    },
    "GET /v1/billing/usage": { path: "/v1/billing/usage?month=2026-01", init: operator(), expect: "storage" },
    "GET /v1/billing/usage/detail": {
      path: "/v1/billing/usage/detail?month=2026-01&tenant=acme",
      init: operator(),
      expect: "storage",
    },
    "GET /v1/billing/reporting": { init: operator(), expect: "storage" },
    "GET /v1/billing/usage/history": {
      path: "/v1/billing/usage/history?tenant=acme",
      init: operator(),
      expect: "storage",
    },
    "GET /v1/billing/usage/export": {
      path: "/v1/billing/usage/export?tenant=acme&month=2026-01",
      init: operator(),
      expect: "storage",
    },
    "GET /v1/admin/tenants": { init: operator(), expect: "storage" },
    "POST /v1/admin/tenants": { init: operator(json({ name: "outage" })), expect: "storage" },
    "GET /v1/admin/tenants/:tenant": { path: "/v1/admin/tenants/acme", init: operator(), expect: "storage" },
    "POST /v1/admin/tenants/:tenant/disable": {
      path: "/v1/admin/tenants/acme/disable",
      init: operator({ method: "POST" }),
      expect: "storage",
    },
    "POST /v1/admin/tenants/:tenant/enable": {
      path: "/v1/admin/tenants/acme/enable",
      init: operator({ method: "POST" }),
      expect: "storage",
    },
    "POST /v1/admin/tenants/:tenant/tokens": {
      path: "/v1/admin/tenants/acme/tokens",
      init: operator(json({})),
      expect: "storage",
    },
    "POST /v1/admin/tokens/revoke": { init: operator(json({ token: "tok_0123456789abcdef" })), expect: "storage" },
    "POST /v1/admin/tenants/:tenant/term": {
      path: "/v1/admin/tenants/acme/term",
      init: operator(json({ term_months: 12 })),
      expect: "storage",
    },
    "PUT /v1/admin/tenants/:tenant/contract": {
      path: "/v1/admin/tenants/acme/contract",
      init: operator({ ...json({ plan: "cloud", reporting_required: true, mau: 10 }), method: "PUT" }),
      expect: "storage",
    },
    "GET /v1/admin/tenants/:tenant/contract": {
      path: "/v1/admin/tenants/acme/contract",
      init: operator(),
      expect: "storage",
    },
    "PUT /v1/admin/tenants/:tenant/webhook": {
      path: "/v1/admin/tenants/acme/webhook",
      init: operator({ ...json({ url: "https://acme.example/hooks" }), method: "PUT" }),
      expect: "storage",
    },
    "DELETE /v1/admin/tenants/:tenant/webhook": {
      path: "/v1/admin/tenants/acme/webhook",
      init: operator({ method: "DELETE" }),
      expect: "storage",
    },
    "POST /v1/admin/tenants/:tenant/usage/backfill": {
      path: "/v1/admin/tenants/acme/usage/backfill",
      init: operator(json({ reports: [usageReport] })),
      expect: "storage",
    },
    "GET /v1/admin/dead-letters": { init: operator(), expect: "storage" },
    "POST /v1/admin/dead-letters/redrive": { init: operator(json({})), expect: "storage" },
    "GET /v1/admin/archive/objects": {
      path: "/v1/admin/archive/objects?day=2026-01-01",
      init: operator(),
      expect: "storage",
    },
    "GET /v1/admin/archive/events": {
      path: "/v1/admin/archive/events?day=2026-01-01",
      init: operator(),
      expect: "storage",
    },
    "GET /v1/admin/archive/object": {
      path: `/v1/admin/archive/object?key=${encodeURIComponent("events/app=teleport-connect/day=2026-01-01/hour=00/a.parquet")}`,
      init: operator(),
      expect: "storage",
    },
    "GET /v1/admin/archive/forgotten": { init: operator(), expect: "storage" },
    // The doctor reports storage it cannot reach as failed checks: its own 503.
    "GET /v1/admin/doctor": { init: operator(), expect: 503 },
    "GET /v1/admin/doctor/events/:uuid": {
      path: `/v1/admin/doctor/events/${uuidv7()}?distinct_id=${crypto.randomUUID()}`,
      init: operator(),
      expect: "storage",
    },
    "GET /dashboard/login": { init: { headers: { accept: "text/html" } }, expect: 200 },
    "POST /dashboard/login": {
      init: {
        method: "POST",
        headers: {
          "content-type": "application/x-www-form-urlencoded",
          origin: LOCAL,
          "sec-fetch-site": "same-origin",
        },
        body: new URLSearchParams({ token: env.ADMIN_TOKEN }).toString(),
        redirect: "manual",
      },
      expect: 303,
    },
    "POST /dashboard/logout": {
      init: { method: "POST", headers: { origin: LOCAL, "sec-fetch-site": "same-origin" } },
      expect: 303,
    },
    "GET /dashboard": page("storage"),
    "GET /dashboard/drops": page("storage"),
    "GET /dashboard/insights": page("storage"),
    "GET /dashboard/billing": page("storage"),
    "GET /dashboard/billing.csv": { ...page("storage"), path: "/dashboard/billing.csv?month=2026-01" },
    "GET /dashboard/billing/tenant": { ...page("storage"), path: "/dashboard/billing/tenant?tenant=acme" },
    "GET /dashboard/billing/export.csv": {
      ...page("storage"),
      path: "/dashboard/billing/export.csv?tenant=acme&month=2026-01",
    },
    "GET /dashboard/catalogue": page(200),
    "GET /dashboard/health": page("storage"),
  };
  return samples[`${method} ${path}`];
}

/**
 * Every route of the app, its parts loaded (app.ts): method and path, without middleware and
 * catch-alls (method ALL). Each is requested from the app as it serves (a part's paths handed to
 * the part's app).
 */
const routes = [
  ...new Set((await wholeApp()).routes.filter((r) => r.method !== "ALL").map((r) => `${r.method} ${r.path}`)),
];

describe("a storage outage, on every route", () => {
  it("is answered 503 storage_unavailable with Retry-After, or the route's own answer without storage; never a 500", async () => {
    const cookie = await signIn();
    const answers: string[] = [];
    let storageRoutes = 0;
    for (const route of routes) {
      const [method = "", path = ""] = route.split(" ");
      const sample = sampleFor(method, path, cookie);
      expect(sample, `no sample request for ${route}`).toBeDefined();
      if (!sample) continue;
      const ctx = createExecutionContext();
      const res = await app.fetch(
        new Request(`${LOCAL}${sample.path ?? path}`, { method, ...sample.init }),
        outage,
        ctx,
      );
      await waitOnExecutionContext(ctx);
      const body = await res.text();
      answers.push(`${route} → ${res.status}`);
      expect(res.status, `${route}: ${body.slice(0, 200)}`).not.toBe(500);
      if (sample.expect !== "storage") {
        expect(res.status, `${route}: ${body.slice(0, 200)}`).toBe(sample.expect);
        continue;
      }
      storageRoutes++;
      expect(res.status, `${route}: ${body.slice(0, 200)}`).toBe(503);
      expect(res.headers.get("retry-after"), route).toBe("5");
      const type = res.headers.get("content-type") ?? "";
      if (type.startsWith("text/html")) expect(body, route).toContain("storage_unavailable");
      else if (path.startsWith("/prehog"))
        expect(JSON.parse(body), route).toMatchObject({
          code: "unavailable",
          message: expect.stringMatching(/^storage_unavailable: /),
        });
      else expect(JSON.parse(body), route).toMatchObject({ error: "storage_unavailable" });
    }
    console.log(`storage outage: ${routes.length} routes, ${storageRoutes} reach storage`);
    expect(storageRoutes).toBeGreaterThan(40);
  });
});
