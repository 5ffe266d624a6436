import { createMiddleware } from "hono/factory";
import { bearerToken } from "../http/bearer";
import type { AppEnv } from "../http/context";
import { ApiError } from "../http/errors";
import { constantTimeEqual } from "../lib/crypto";

/**
 * The operator's credential: every operator endpoint (stats, billing, tenant administration)
 * sits behind `Authorization: Bearer <ADMIN_TOKEN>`, compared in constant time.
 */
export const requireAdmin = createMiddleware<AppEnv>(async (c, next) => {
  const expected = c.env.ADMIN_TOKEN;
  if (!expected) {
    throw new ApiError(401, "unauthorized", "the operator API is disabled: set the ADMIN_TOKEN secret to enable it");
  }
  const given = bearerToken(c.req.header("authorization"));
  if (!given || !(await constantTimeEqual(given, expected))) {
    throw new ApiError(401, "unauthorized", "a valid operator token is required: Authorization: Bearer <ADMIN_TOKEN>", {
      "WWW-Authenticate": 'Bearer realm="edgehog-admin"',
    });
  }
  await next();
});
