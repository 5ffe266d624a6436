import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { OpenAPIHono } from "@hono/zod-openapi";
import { describe, expect, it } from "vitest";
import type { AppEnv } from "../../src/http/context";
import { handleError, handleNotFound } from "../../src/http/errors";
import { routesApp } from "../../src/http/openapi";
import { mountParts, part } from "../../src/http/parts";

/**
 * A part of the HTTP surface loaded on first use (src/http/parts.ts): its module is loaded by the
 * first request to its paths and kept, the request reaches it as it came (method, path, body,
 * bindings, execution context), what none of its routes answers is the collector's 404, and a
 * load that failed is tried again by the next request instead of failing every request after it.
 */

function appWith(load: () => Promise<OpenAPIHono<AppEnv>>) {
  const app = routesApp<AppEnv>();
  app.get("/eager", (c) => c.text("eager"));
  mountParts(app, [part("/things", ["/things/*"], load)]);
  app.notFound(handleNotFound);
  app.onError(handleError);
  return app;
}

async function request(app: ReturnType<typeof appWith>, path: string, init: RequestInit = {}) {
  const ctx = createExecutionContext();
  const res = await app.fetch(new Request(`http://edgehog.test${path}`, init), env, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

describe("a part loaded on first use", () => {
  it("is loaded by the first request to its paths, once, and gets the request as it came", async () => {
    let loads = 0;
    const app = appWith(async () => {
      loads++;
      const things = routesApp<AppEnv>();
      things.post("/:id", async (c) => {
        c.executionCtx.waitUntil(Promise.resolve());
        return c.json({ id: c.req.param("id"), body: await c.req.text(), bound: c.env.DB !== undefined });
      });
      things.get("/", (c) => c.text("all things"));
      return things;
    });
    expect(await (await request(app, "/eager")).text()).toBe("eager");
    expect(loads).toBe(0);
    const res = await request(app, "/things/42", { method: "POST", body: "hello" });
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ id: "42", body: "hello", bound: true });
    expect(await (await request(app, "/things")).text()).toBe("all things");
    expect(loads).toBe(1);
  });

  it("answers what none of its routes answers with the collector's 404, and its errors in the error shape", async () => {
    const app = appWith(async () => {
      const broken = routesApp<AppEnv>();
      broken.get("/broken", () => {
        throw new Error("a bug");
      });
      return broken;
    });
    const missing = await request(app, "/things/missing");
    expect(missing.status).toBe(404);
    expect(await missing.json()).toEqual({ error: "not_found", message: "no route for GET /things/missing" });
    const broken = await request(app, "/things/broken");
    expect(broken.status).toBe(500);
    expect(await broken.json()).toEqual({ error: "internal_error", message: "an unexpected error occurred" });
  });

  it("is loaded again by the next request when its load failed", async () => {
    let loads = 0;
    const app = appWith(async () => {
      loads++;
      if (loads === 1) throw new Error("the module could not be loaded");
      const loaded = routesApp<AppEnv>();
      loaded.get("/", (c) => c.text("loaded"));
      return loaded;
    });
    const failed = await request(app, "/things");
    expect(failed.status).toBe(500);
    expect(await failed.json()).toMatchObject({ error: "internal_error" });
    const retried = await request(app, "/things");
    expect(retried.status).toBe(200);
    expect(await retried.text()).toBe("loaded");
    expect(loads).toBe(2);
  });
});
