// Billing route: POST /v1/usage with a tenant Bearer token and a realistic 10-report body.
// 1. autocannon with one fixed body: after the first request every report is a duplicate, so
//    this measures the idempotent path (auth, validation, limiter, a D1 batch that adds nothing);
// 2. a closed loop with fresh report uuids in every request (every report is stored), then,
//    with the server stopped, the reports in D1 are counted: lost = accepted − stored.
import { operatorApi } from "../../scripts/lib/operator-api.mjs";
import { cannon, sendAll } from "../lib/load.mjs";
import { usageTemplate } from "../lib/payload.mjs";
import { ADMIN_TOKEN, collectorDef } from "../lib/servers.mjs";
import { d1Execute } from "../lib/wrangler.mjs";

const SERVER = "collector-usage";
const PLAN = {
  full: { warmup: 2, seconds: 10, freshRequests: 3_000, deadlineMs: 120_000 },
  quick: { warmup: 1, seconds: 2, freshRequests: 200, deadlineMs: 20_000 },
  smoke: { warmup: 0, seconds: 1, freshRequests: 50, deadlineMs: 15_000 },
};
const DIGEST = /^[A-Za-z0-9+/]{43}=$/;

const round2 = (x) => Math.round(x * 100) / 100;

export default {
  name: "usage",
  order: 50,
  description: "POST /v1/usage with a tenant token: fixed body (idempotent) req/s, then fresh reports, lost = 0",
  servers: [SERVER],
  serverDefs: { [SERVER]: collectorDef() },
  async run(ctx) {
    const { mode, connections, concurrency } = ctx.options;
    const plan = PLAN[mode];
    const worker = ctx.servers[SERVER];
    // A tenant and one token, through the operator API, as `npm run tenant` would.
    const call = operatorApi(worker.url, ADMIN_TOKEN);
    await call("POST", "/tenants", { name: "bench" });
    const { token } = await call("POST", "/tenants/bench/tokens", {});
    const headers = { authorization: `Bearer ${token}` };
    const url = `${worker.url}/v1/usage`;

    // The fixed body: its first request stores its reports, every later one is a duplicate.
    const fixedTemplate = usageTemplate();
    const fixedBody = fixedTemplate.body();
    ctx.log(`usage: ${fixedTemplate.reports} reports, ${fixedTemplate.bytes} bytes per request`);
    const first = await fetch(url, {
      method: "POST",
      headers: { "content-type": "application/json", ...headers },
      body: fixedBody,
      signal: AbortSignal.timeout(10_000),
    });
    const firstJson = await first.json().catch(() => null);
    if (first.status !== 202 || firstJson?.accepted !== fixedTemplate.reports)
      throw new Error(`the first POST /v1/usage answered ${first.status}: ${JSON.stringify(firstJson)}`);
    if (plan.warmup > 0) await cannon({ url, body: fixedBody, seconds: plan.warmup, connections, headers });
    const fixed = await cannon({ url, body: fixedBody, seconds: plan.seconds, connections, headers });
    ctx.log(
      `usage fixed body: ${fixed.requests_per_s.toFixed(0)} req/s, p50 ${fixed.latency_ms.p50} / p99 ${fixed.latency_ms.p99} ms` +
        (fixed.non_2xx ? `, ${fixed.non_2xx} NON-2XX ${JSON.stringify(fixed.statuses)}` : ""),
    );

    // Fresh reports: another cluster, so that its stored reports can be counted apart.
    const freshTemplate = usageTemplate();
    const bodies = Array.from({ length: plan.freshRequests }, () => freshTemplate.body());
    const fresh = await sendAll({
      baseUrl: worker.url,
      path: "/v1/usage",
      bodies,
      headers,
      concurrency,
      deadlineMs: plan.deadlineMs,
    });
    const freshRps = fresh.requests / fresh.seconds;
    ctx.log(
      `usage fresh reports: ${freshRps.toFixed(0)} req/s, ${(fresh.accepted / fresh.seconds).toFixed(0)} reports/s accepted, ` +
        `p50 ${fresh.latency_ms.p50} / p99 ${fresh.latency_ms.p99} ms, failures ${fresh.failures}`,
    );

    // Count what D1 holds once the server is stopped (no write can still be in flight).
    await ctx.stopServer(SERVER);
    for (const c of [fixedTemplate.cluster, freshTemplate.cluster])
      if (!DIGEST.test(c)) throw new Error(`unexpected cluster digest ${c}`);
    const rows = await d1Execute({
      persistTo: worker.persistTo,
      config: worker.config,
      database: worker.database,
      sql:
        "SELECT cluster_name, COUNT(*) AS n FROM usage_reports " +
        `WHERE cluster_name IN ('${fixedTemplate.cluster}', '${freshTemplate.cluster}') GROUP BY cluster_name`,
    });
    const storedOf = (cluster) => Number(rows.find((r) => r.cluster_name === cluster)?.n ?? 0);
    const stored = storedOf(freshTemplate.cluster);
    const fixedStored = storedOf(fixedTemplate.cluster);
    const lost = fresh.accepted - stored;
    ctx.log(`usage: accepted ${fresh.accepted}, stored ${stored}, lost ${lost}; fixed body stored ${fixedStored}`);

    return {
      reports_per_request: fixedTemplate.reports,
      body_bytes: fixedTemplate.bytes,
      connections,
      // Fixed body: every report after the first request is a duplicate (the idempotent path).
      fixed: {
        seconds: fixed.seconds,
        requests: fixed.requests,
        requests_per_s: Math.round(fixed.requests_per_s * 10) / 10,
        reports_per_s: Math.round(fixed.requests_per_s * fixedTemplate.reports),
        latency_ms: { p50: fixed.latency_ms.p50, p99: fixed.latency_ms.p99 },
        non_2xx: fixed.non_2xx,
        errors: fixed.errors + fixed.timeouts,
        statuses: fixed.statuses,
        stored: fixedStored, // must be exactly reports_per_request
      },
      // Fresh report uuids in every request, closed loop (`concurrency` in flight).
      fresh: {
        concurrency,
        requests: fresh.requests,
        skipped: bodies.length - fresh.requests, // not sent before the deadline
        seconds: round2(fresh.seconds),
        requests_per_s: Math.round(freshRps * 10) / 10,
        reports_per_s: Math.round(fresh.accepted / fresh.seconds),
        latency_ms: fresh.latency_ms,
        accepted: fresh.accepted,
        duplicates_or_rejected: fresh.ok * freshTemplate.reports - fresh.accepted,
        stored,
        failures: fresh.failures,
        statuses: fresh.statuses,
      },
      lost,
      ok:
        fixed.non_2xx === 0 &&
        fixed.errors + fixed.timeouts === 0 &&
        fixedStored === fixedTemplate.reports &&
        fresh.failures === 0 &&
        fresh.accepted === fresh.ok * freshTemplate.reports &&
        lost === 0,
    };
  },
};
