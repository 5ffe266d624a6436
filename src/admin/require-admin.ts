import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { bearerToken } from "../http/bearer";
import type { AppEnv } from "../http/context";
import { ApiError } from "../http/errors";
import { constantTimeEqual } from "../lib/crypto";

/**
 * The operator's credential: every operator endpoint (stats, billing, tenant administration)
 * sits behind `Authorization: Bearer <ADMIN_TOKEN>`, compared in constant time.
 */

/**
 * Whether `given` is the operator token: the one check behind every way an operator proves
 * who they are (the API's bearer header, the dashboard's sign-in form). False when the
 * `ADMIN_TOKEN` secret is not set.
 */
export async function isAdminToken<E extends AppEnv>(c: Context<E>, given: string | undefined): Promise<boolean> {
  const expected = c.env.ADMIN_TOKEN;
  if (!expected || !given) return false;
  return constantTimeEqual(given, expected);
}

export const requireAdmin = createMiddleware<AppEnv>(async (c, next) => {
  if (!c.env.ADMIN_TOKEN) {
    throw new ApiError(401, "unauthorized", "the operator API is disabled: set the ADMIN_TOKEN secret to enable it");
  }
  if (!(await isAdminToken(c, bearerToken(c.req.header("authorization"))))) {
    throw new ApiError(401, "unauthorized", "a valid operator token is required: Authorization: Bearer <ADMIN_TOKEN>", {
      "WWW-Authenticate": 'Bearer realm="edgehog-admin"',
    });
  }
  await next();
});
