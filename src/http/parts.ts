import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Env as HonoEnv } from "hono";
import { mount } from "hono/mount";
import type { AppEnv } from "./context";
import { handleError, handleNotFound } from "./errors";
import { routesApp } from "./openapi";

/**
 * The parts of the HTTP surface a cold isolate answering `POST /v1/events` does not need (the
 * prehog door, the operator API, the dashboard, the API reference) are apps of their own, each
 * in ES modules of its own: the Worker's build makes a module of every `import()`
 * (scripts/build-worker.mjs), so a cold start loads and compiles none of them. The app mounts
 * each part at its paths; the first request to one of them loads its module and makes its app,
 * which the isolate keeps. The request is handed over as it came (Hono's `mount`), with the
 * bindings the app already guarded (storage.ts) and the execution context.
 */

// biome-ignore lint/suspicious/noExplicitAny: a part's routes have their own environment and schema
type AnyApp = OpenAPIHono<any, any, any>;

export interface Part {
  /** The paths the app hands to the part (Hono patterns). */
  readonly paths: readonly string[];
  /** The part's app: its routes, answering what none of them answers as the collector does. */
  app(): Promise<OpenAPIHono<AppEnv>>;
}

/**
 * A part: `routes` (from the module `load` imports) mounted at `prefix` in an app of its own,
 * with the collector's 404 and error shape, made once (a load that failed is tried again).
 */
export function part(prefix: string, paths: readonly string[], load: () => Promise<AnyApp>): Part {
  let app: Promise<OpenAPIHono<AppEnv>> | undefined;
  const make = async () => {
    const partApp = routesApp<AppEnv>();
    partApp.route(prefix, (await load()) as OpenAPIHono<HonoEnv>);
    partApp.notFound(handleNotFound);
    partApp.onError(handleError);
    return partApp;
  };
  return {
    paths,
    app: () => {
      app ??= make().catch((err: unknown) => {
        app = undefined;
        throw err;
      });
      return app;
    },
  };
}

/** Mounts each part at its paths in `app`: the part's app answers them, loaded by the first such request. */
export function mountParts(app: OpenAPIHono<AppEnv>, parts: readonly Part[]): void {
  for (const { paths, app: partApp } of parts) {
    const handOver = mount(
      async (request: Request, env: Env, ctx: ExecutionContext | undefined) =>
        (await partApp()).fetch(request, env, ctx),
      { replaceRequest: false },
    );
    for (const path of paths) app.all(path, handOver);
  }
}
