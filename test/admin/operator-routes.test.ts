import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { wholeApp } from "../../src/app";
import { bearer, call, operator, randomIp } from "../helpers/harness";
import { tenantWithToken } from "../helpers/tenants";

/**
 * The operator route contract: every route under /v1/stats, /v1/insights, /v1/billing and /v1/admin, as the
 * app itself lists them, answers the same way to whoever lacks the operator token, counts their
 * failed attempts, answers a malformed request with a JSON error, and lets nothing it answers be
 * cached or carry a secret. A route added under those paths is held to it without a line here.
 * Only the HTTP contract is asserted (statuses, headers, bodies), never how the app is built.
 */

const OPERATOR_PREFIXES = ["/v1/stats", "/v1/insights", "/v1/billing", "/v1/admin"];

/** The operator routes of today: the enumeration must find them all (and may find more). */
const KNOWN_ROUTES = [
  "GET /v1/stats/health",
  "GET /v1/stats/events",
  "GET /v1/stats/breakdown",
  "GET /v1/insights/breakdown",
  "GET /v1/insights/adoption",
  "GET /v1/insights/retention",
  "GET /v1/insights/funnel",
  "GET /v1/billing/usage",
  "GET /v1/billing/usage/detail",
  "GET /v1/billing/reporting",
  "GET /v1/billing/usage/history",
  "GET /v1/billing/usage/export",
  "GET /v1/admin/tenants",
  "POST /v1/admin/tenants",
  "GET /v1/admin/tenants/:tenant",
  "POST /v1/admin/tenants/:tenant/disable",
  "POST /v1/admin/tenants/:tenant/enable",
  "POST /v1/admin/tenants/:tenant/tokens",
  "POST /v1/admin/tokens/revoke",
  "POST /v1/admin/tenants/:tenant/term",
  "PUT /v1/admin/tenants/:tenant/contract",
  "GET /v1/admin/tenants/:tenant/contract",
  "PUT /v1/admin/tenants/:tenant/webhook",
  "DELETE /v1/admin/tenants/:tenant/webhook",
  "POST /v1/admin/tenants/:tenant/usage/backfill",
  "GET /v1/admin/dead-letters",
  "POST /v1/admin/dead-letters/redrive",
  "GET /v1/admin/archive/objects",
  "GET /v1/admin/archive/events",
  "GET /v1/admin/archive/object",
  "GET /v1/admin/archive/forgotten",
  "GET /v1/admin/doctor",
  "GET /v1/admin/doctor/events/:uuid",
];

/** Routes that read no input at all: nothing of theirs can be malformed, so they answer 2xx. */
const TAKES_NO_INPUT = new Set([
  "GET /v1/stats/health",
  "GET /v1/admin/tenants",
  "GET /v1/admin/archive/forgotten",
  "GET /v1/admin/doctor",
]);

/** Every operator route the app declares (its parts loaded), as "METHOD /path" (mounted middleware left out). */
const whole = await wholeApp();
function operatorRoutes(): string[] {
  const routes = whole.routes
    .filter((route) => OPERATOR_PREFIXES.some((prefix) => route.path === prefix || route.path.startsWith(`${prefix}/`)))
    .filter((route) => !(route.method === "ALL" && route.path.endsWith("*")))
    .map((route) => `${route.method === "ALL" ? "GET" : route.method} ${route.path}`);
  return [...new Set(routes)];
}

const ROUTES = operatorRoutes();

/** The route's path with each parameter (`:name`, with or without a pattern) replaced by `value`. */
function pathOf(route: string, value: string): { method: string; path: string } {
  const [method = "GET", pattern = "/"] = route.split(" ");
  return { method, path: pattern.replace(/:[A-Za-z_]+(\{[^}]*\})?/g, encodeURIComponent(value)) };
}

/** What no route accepts: parameters, a query and a body that fit no grammar of theirs. */
const MALFORMED_QUERY =
  "?app=&from=not-a-day&to=not-a-day&day=not-a-day&month=not-a-month&tenant=&limit=0&queue=&distinct_id=";
const MALFORMED_BODY = '{"not json';

function request(route: string, headers: Record<string, string>, ip: string, malformed = false): Promise<Response> {
  const { method, path } = pathOf(route, malformed ? "not a valid id" : "contract-probe");
  const hasBody = method !== "GET" && method !== "HEAD";
  return call(
    malformed ? `${path}${MALFORMED_QUERY}` : path,
    {
      method,
      headers: hasBody ? { "content-type": "application/json" } : {},
      body: hasBody ? (malformed ? MALFORMED_BODY : "{}") : undefined,
    },
    { headers, ip },
  );
}

/** An answer's status, headers and text, read whole. */
async function read(res: Response) {
  return { status: res.status, headers: res.headers, text: await res.text() };
}

/** What every operator answer promises, whoever asked: not cached, no secret in it. */
function expectNothingToKeep(answer: { headers: Headers; text: string }, secrets: string[]) {
  expect(answer.headers.get("cache-control")).toMatch(/\bno-store\b/);
  const whole = `${[...answer.headers].map(([name, value]) => `${name}: ${value}`).join("\n")}\n${answer.text}`;
  for (const secret of [env.ADMIN_TOKEN, ...secrets]) expect(whole).not.toContain(secret);
}

/** A JSON error: the content type, and `{ error, message }` with `error` when given. */
function expectJsonError(answer: { headers: Headers; text: string }, error?: string) {
  expect(answer.headers.get("content-type")).toMatch(/^application\/json\b/);
  const body = JSON.parse(answer.text) as Record<string, unknown>;
  expect(body).toEqual(expect.objectContaining({ error: error ?? expect.any(String), message: expect.any(String) }));
  expect((body.message as string).length).toBeGreaterThan(0);
}

describe("the operator routes, enumerated from the app", () => {
  it("are found, at least every known one", () => {
    expect(ROUTES.length).toBeGreaterThanOrEqual(KNOWN_ROUTES.length);
    expect(ROUTES).toEqual(expect.arrayContaining(KNOWN_ROUTES));
  });
});

describe.each(ROUTES)("the operator route %s", (route) => {
  let tenantToken = "";
  beforeAll(async () => {
    tenantToken = (await tenantWithToken(`contract-${crypto.randomUUID().slice(0, 8)}`)).issued.token;
  });

  it.each<[string, () => Record<string, string>]>([
    ["no token", () => ({})],
    ["a valid tenant token", () => bearer(tenantToken)],
    ["a wrong token", () => bearer(`wrong-${crypto.randomUUID()}`)],
    ["the operator token without its scheme", () => ({ authorization: env.ADMIN_TOKEN })],
  ])("answers 401 unauthorized, with WWW-Authenticate, to %s", async (_, headersOf) => {
    const headers = headersOf();
    const answer = await read(await request(route, headers, randomIp()));
    expect(answer.status).toBe(401);
    expect(answer.headers.get("www-authenticate")).toMatch(/^Bearer realm="/);
    expectJsonError(answer, "unauthorized");
    expectNothingToKeep(answer, [tenantToken, ...Object.values(headers)]);
  });

  it("counts failed attempts per client: the 11th is 429, and the operator token still passes", async () => {
    const ip = randomIp();
    const statuses: number[] = [];
    for (let attempt = 0; attempt < 11; attempt++) {
      const answer = await read(await request(route, bearer(`wrong-${attempt}-${crypto.randomUUID()}`), ip));
      statuses.push(answer.status);
      if (attempt === 10) {
        expectJsonError(answer, "rate_limited");
        expect(answer.headers.get("retry-after")).toMatch(/^\d+$/);
        expectNothingToKeep(answer, []);
      }
    }
    expect(statuses).toEqual([...Array(10).fill(401), 429]);
    const operatorAnswer = await request(route, operator(), ip, true);
    expect([401, 429]).not.toContain(operatorAnswer.status);
  });

  it("answers a malformed request with a JSON error (never a 5xx), or, taking no input, 2xx", async () => {
    const answer = await read(await request(route, operator(), randomIp(), true));
    expectNothingToKeep(answer, []);
    if (TAKES_NO_INPUT.has(route)) {
      expect(answer.status).toBeGreaterThanOrEqual(200);
      expect(answer.status).toBeLessThan(300);
      return;
    }
    expect(answer.status).toBeGreaterThanOrEqual(400);
    expect(answer.status).toBeLessThan(500);
    expectJsonError(answer);
  });
});
