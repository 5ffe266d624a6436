import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";
import { ApiError } from "../http/errors";
import { bearerToken, secretsEqual } from "./constant-time";

/** Guards the operator API: `Authorization: Bearer <ADMIN_TOKEN>`. */
export const requireAdmin = createMiddleware<AppEnv>(async (c, next) => {
  const expected = c.env.ADMIN_TOKEN;
  if (!expected) {
    throw new ApiError(401, "unauthorized", "the operator API is disabled: set the ADMIN_TOKEN secret to enable it");
  }
  const given = bearerToken(c.req.header("authorization"));
  if (!given || !(await secretsEqual(given, expected))) {
    throw new ApiError(401, "unauthorized", "a valid operator token is required: Authorization: Bearer <ADMIN_TOKEN>", {
      "WWW-Authenticate": 'Bearer realm="edgehog-admin"',
    });
  }
  await next();
});
