import type { OpenAPIHono } from "@hono/zod-openapi";
import type { Env } from "hono";
import { noStore } from "../http/no-store";
import { errorResponses, routesApp } from "../http/openapi";
import { type LimiterEnv, limitRequests } from "../ratelimit/middleware";
import { requireAdmin } from "./require-admin";

/**
 * The operator API as one group: every route mounted into it (stats, billing, tenants, dead
 * letters, the archive, the doctor, the usage backfill) is charged to its client by the limiter
 * and needs `Authorization: Bearer <ADMIN_TOKEN>` (failed attempts are counted), and answers
 * `Cache-Control: no-store`, applied here
 * and nowhere else. The group is mounted under `/v1`; each prefix it is given gets the guard
 * once, whatever number of features mount there.
 */

/** What every operator route may answer besides its own errors. */
export const OPERATOR_ERRORS = [
  "unauthorized",
  "operator_api_disabled",
  "rate_limited",
  "storage_unavailable",
] as const;

export const operatorErrorResponses = (...own: Parameters<typeof errorResponses>) =>
  errorResponses(...OPERATOR_ERRORS, ...own);

/**
 * The group's prefixes under `/v1`, each with the guard: the app mounts the operator API (loaded on
 * first use) at exactly these, so the group is given a list of apps for each and for no other.
 */
export const OPERATOR_PREFIXES = ["/stats", "/insights", "/billing", "/admin"] as const;
export type OperatorPrefix = (typeof OPERATOR_PREFIXES)[number];

/** The group: `mounts` maps each prefix (`/stats`) to the feature apps mounted there. */
export function operatorApp(
  // biome-ignore lint/suspicious/noExplicitAny: each feature's app has its own environment and schema
  mounts: Readonly<Record<OperatorPrefix, readonly OpenAPIHono<any, any, any>[]>>,
): OpenAPIHono<LimiterEnv> {
  const group = routesApp<LimiterEnv>();
  // None of its answers, refusals included, may be cached: noStore first sees the final answer.
  for (const prefix of OPERATOR_PREFIXES) group.use(`${prefix}/*`, noStore, limitRequests, requireAdmin);
  for (const [prefix, apps] of Object.entries(mounts)) {
    for (const app of apps) group.route(prefix, app as OpenAPIHono<Env>);
  }
  return group;
}

/** The operator's credential, as OpenAPI names it (the document's `components.securitySchemes`). */
export const OPERATOR_SECURITY = [{ operatorToken: [] }];
