/**
 * The Hono environment every route and middleware shares: the Worker's bindings and vars.
 * `Env` is generated from wrangler.toml by `wrangler types` (worker-configuration.d.ts).
 * Features that put request-scoped services on the context extend this type with their own
 * `Variables` (the rate limiter's `limiter`, the tenant of an authenticated request).
 */
export interface AppEnv {
  Bindings: Env;
}
