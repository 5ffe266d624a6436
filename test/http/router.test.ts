import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { app, PREHOG_SERVICE_NAMES } from "../../src/app";
import { rpcPaths } from "../../src/prehog/routes";

/**
 * Every route of the app is one Hono's RegExpRouter takes: one that it cannot (a pattern such
 * as `/:service{prehog\.[\w.]+}/*`) makes the SmartRouter settle on the TrieRouter, slower for
 * every request. The prehog door is handed its services' static paths, held here to the
 * services it serves.
 */
describe("the app's router", () => {
  it("is the RegExpRouter", async () => {
    const res = await app.request("/healthz", {}, env);
    expect(res.status).toBe(200);
    expect(app.router.name).toBe("SmartRouter + RegExpRouter");
  });

  it("hands the prehog door exactly the services it serves", () => {
    const served = new Set(rpcPaths.map((path) => path.split("/")[1]));
    expect(new Set(PREHOG_SERVICE_NAMES)).toEqual(served);
  });
});
