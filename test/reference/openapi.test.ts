import { exports } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import architecture from "../../docs/ARCHITECTURE.md?raw";
import { wholeApp } from "../../src/app";
import { ERROR_CODES, errorCodes } from "../../src/http/error-codes";
import { errorCodeTable } from "../../src/reference/document";
import { elementsOf } from "../helpers/html";

/**
 * The OpenAPI description is the app's: every route the app answers is described, and nothing
 * it does not answer; `/docs` renders it under a CSP that allows nothing but its own style; the
 * error codes in it and in docs/ARCHITECTURE.md are the one list of http/error-codes.ts.
 */

type Document = {
  openapi: string;
  info: { description: string };
  paths: Record<
    string,
    Record<string, { responses: Record<string, { content?: Record<string, { schema: unknown }> }> }>
  >;
};

async function document(): Promise<Document> {
  const res = await exports.default.fetch("http://edgehog.test/openapi.json");
  expect(res.status).toBe(200);
  return (await res.json()) as Document;
}

/** A Hono path as OpenAPI writes it: `/tenants/:tenant` → `/tenants/{tenant}`. */
const asOpenApi = (path: string) => path.replace(/:([^/]+)/g, "{$1}");

describe("GET /openapi.json", () => {
  it("describes every route of the app, and no other (OpenAPI 3.1)", async () => {
    const doc = await document();
    expect(doc.openapi).toBe("3.1.0");
    const described = Object.entries(doc.paths).flatMap(([path, item]) =>
      Object.keys(item).map((method) => `${method.toUpperCase()} ${path}`),
    );
    // Middleware and catch-alls are registered with method ALL: they are no route of their own.
    const served = (await wholeApp()).routes
      .filter((r) => r.method !== "ALL")
      .map((r) => `${r.method} ${asOpenApi(r.path)}`);
    expect([...new Set(served)].sort()).toEqual([...new Set(described)].sort());
    expect(described.length).toBeGreaterThan(60);
  });

  it("documents each error answer with codes of that status only, from the one list", async () => {
    const doc = await document();
    let checked = 0;
    for (const item of Object.values(doc.paths)) {
      for (const operation of Object.values(item)) {
        for (const [status, response] of Object.entries(operation.responses)) {
          const schema = response.content?.["application/json"]?.schema as
            | { properties?: { error?: { enum?: string[] } } }
            | undefined;
          const codes = schema?.properties?.error?.enum;
          if (!codes) continue;
          for (const code of codes) {
            expect(errorCodes, code).toContain(code);
            expect(String(ERROR_CODES[code as keyof typeof ERROR_CODES].status), `${code} under ${status}`).toBe(
              status,
            );
            checked++;
          }
        }
      }
    }
    expect(checked).toBeGreaterThan(100);
    expect(doc.info.description).toContain(errorCodeTable());
  });
});

describe("GET /docs", () => {
  it("renders the description as a page with its own style only: no script, no request elsewhere", async () => {
    const res = await exports.default.fetch("http://edgehog.test/docs");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^text\/html/);
    const csp = res.headers.get("content-security-policy") ?? "";
    expect(csp).toMatch(/default-src 'none'/);
    const nonce = /style-src 'nonce-([^']+)'/.exec(csp)?.[1];
    expect(nonce).toBeTruthy();
    const html = await res.text();
    expect(html).not.toMatch(/<script|<link rel="stylesheet"|https?:\/\/(?!edgehog\.test)/);
    expect((await elementsOf(html, "style")).map((style) => style.attributes.nonce)).toEqual([nonce]);
    for (const path of [
      "/v1/events",
      "/v1/admin/tenants/{tenant}/term",
      "/prehog.v1.TeleportReportingService/SubmitUsageReports",
    ]) {
      expect(html).toContain(`<code>${path}</code>`);
    }
    for (const code of errorCodes) expect(html).toContain(`<code>${code}</code>`);
  });
});

describe("the error codes", () => {
  it("are listed in docs/ARCHITECTURE.md as error-codes.ts defines them", () => {
    expect(architecture).toContain(errorCodeTable());
  });
});
