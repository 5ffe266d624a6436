import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { wholeApp } from "../../src/app";

/**
 * The operator group guards every operator route: each route of the app (its parts loaded) under /v1/stats,
 * /v1/billing and /v1/admin refuses a request without the operator token (401, before it reads
 * anything) and one with a wrong token, whatever feature declared it.
 */

const OPERATOR = /^\/v1\/(stats|billing|admin)\//;
const operatorRoutes = [
  ...new Set(
    (await wholeApp()).routes
      .filter((r) => r.method !== "ALL" && OPERATOR.test(r.path))
      .map((r) => `${r.method} ${r.path}`),
  ),
];

describe("the operator group", () => {
  it("refuses every operator route without the operator token, and with a wrong one", async () => {
    expect(operatorRoutes.length).toBeGreaterThan(20);
    for (const route of operatorRoutes) {
      const [method = "", path = ""] = route.split(" ");
      const url = `http://edgehog.test${path.replace(/:[^/]+/g, "acme")}`;
      const attempts: Record<string, string>[] = [
        {},
        { authorization: "Bearer not-the-operator-token-but-long-enough-to-try" },
      ];
      for (const headers of attempts) {
        const res = await exports.default.fetch(url, {
          method,
          headers: {
            ...headers,
            "content-type": "application/json",
            "cf-connecting-ip": `198.51.100.${operatorRoutes.indexOf(route) % 250}`,
          },
          body: method === "GET" ? undefined : "{}",
        });
        expect(res.status, route).toBe(401);
        expect(res.headers.get("www-authenticate"), route).toMatch(/^Bearer realm="edgehog-admin"/);
        expect(await res.json(), route).toMatchObject({ error: "unauthorized" });
      }
    }
  });
});
