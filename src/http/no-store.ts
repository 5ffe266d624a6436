import { createMiddleware } from "hono/factory";

/**
 * `Cache-Control: no-store` on whatever the routes behind it answer, errors and refusals
 * included: the operator's answers (figures, tenants, tokens, archived events) must stay in no
 * cache between the operator and the Worker, nor in the operator's own. Mounted first, so that
 * it sees the final answer of everything after it.
 */
export const noStore = createMiddleware(async (c, next) => {
  await next();
  c.header("Cache-Control", "no-store");
});
