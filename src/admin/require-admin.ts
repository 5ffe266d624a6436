import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { bearerToken } from "../http/bearer";
import { ApiError } from "../http/errors";
import { constantTimeEqual } from "../lib/crypto";
import { isLoopbackHost } from "../lib/loopback";
import type { LimiterEnv } from "../ratelimit/middleware";

/**
 * The operator's credential: every operator endpoint (stats, billing, tenant administration,
 * dead letters) sits behind `Authorization: Bearer <ADMIN_TOKEN>`, compared in constant time.
 * A deployment refuses a weak token (shorter than 32 characters, or the local example from
 * .dev.vars.example): the operator API then answers 503 saying why. Only a request to the
 * loopback address (wrangler dev on this machine) may use one. Failed attempts are counted
 * against the client (429 once over its allowance); a valid token is never refused for them.
 */
export const MIN_ADMIN_TOKEN_LENGTH = 32;
/** The value .dev.vars.example sets for local development. */
export const LOCAL_EXAMPLE_ADMIN_TOKEN = "edgehog-local-admin-token";

/** Why ADMIN_TOKEN is too weak for a deployment (the local example, or too short), or undefined. */
export function adminTokenWeakness(token: string): string | undefined {
  if (token === LOCAL_EXAMPLE_ADMIN_TOKEN) {
    return "ADMIN_TOKEN is the local example; set a secret of your own (npx wrangler secret put ADMIN_TOKEN, e.g. openssl rand -base64 32)";
  }
  if (token.length < MIN_ADMIN_TOKEN_LENGTH) {
    return `ADMIN_TOKEN must be at least ${MIN_ADMIN_TOKEN_LENGTH} characters (npx wrangler secret put ADMIN_TOKEN, e.g. openssl rand -base64 32)`;
  }
  return undefined;
}

/** Why ADMIN_TOKEN cannot be used for this request, or undefined if it can. */
export function adminTokenProblem(token: string | undefined, requestUrl: string): string | undefined {
  if (!token) return "the operator API is disabled: set the ADMIN_TOKEN secret to enable it";
  if (isLoopbackHost(new URL(requestUrl).hostname)) return undefined;
  const weakness = adminTokenWeakness(token);
  return weakness && `the operator API is disabled: ${weakness}`;
}

/** True if `given` is the operator token and the token may be used; throws 503 if it may not. */
export async function isAdminToken(c: Context<LimiterEnv>, given: string | undefined): Promise<boolean> {
  const expected = c.env.ADMIN_TOKEN;
  const problem = adminTokenProblem(expected, c.req.url);
  if (problem) throw new ApiError("operator_api_disabled", problem);
  if (given && (await constantTimeEqual(given, expected))) return true;
  await c.var.limiter.recordAuthFailure();
  return false;
}

export const requireAdmin = createMiddleware<LimiterEnv>(async (c, next) => {
  if (!(await isAdminToken(c, bearerToken(c.req.header("authorization"))))) {
    throw new ApiError("unauthorized", "a valid operator token is required: Authorization: Bearer <ADMIN_TOKEN>", {
      "WWW-Authenticate": 'Bearer realm="edgehog-admin"',
    });
  }
  await next();
});
