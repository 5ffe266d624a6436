import { rateLimitsOf } from "../config";
import type { Env } from "../env";
import { clientKey, connectingIp } from "./client-key";
import { type CheckOptions, type LimitCharge, type LimitDecision, RateLimiter } from "./limiter";
import { RateLimitedError } from "./rate-limited-error";

/** What the guards need of a Hono context, whatever the route's variables. */
interface AppContext {
  env: Env;
  req: { raw: Request };
}

/**
 * The functions routes call. Each one throws RateLimitedError (429) when refused and does
 * nothing when RATE_LIMIT_ENABLED is false. Public and tenant traffic fail open when the
 * limiter itself fails (see docs/RATE_LIMITING.md).
 */
export function limiterOf(c: AppContext): RateLimiter | null {
  const limits = rateLimitsOf(c.env);
  return limits.enabled ? new RateLimiter({ namespace: c.env.RATE_LIMITER, limits }) : null;
}

async function enforce(limiter: RateLimiter, charges: LimitCharge[], options: CheckOptions): Promise<LimitDecision> {
  const decision = await limiter.check(charges, options);
  if (!decision.ok) throw new RateLimitedError(decision.limit, decision.retryAfterSeconds, decision.exceedsCapacity);
  return decision;
}

/** The daily-salted key of the requesting client; never the IP itself. */
export async function clientKeyOf(c: AppContext): Promise<string> {
  return clientKey(rateLimitsOf(c.env).saltSecret, connectingIp(c.req.raw), Date.now());
}

export interface PublicBatchCost {
  app: string;
  /** Every event in the request, valid or not: what the client made the collector read. */
  received: number;
  /** The accepted events' install ids, one entry per event. */
  distinctIds: string[];
  /** The tenant the events are attributed to (a valid tenant token was presented), if any. */
  tenantId?: string | null;
}

/**
 * Guards `POST /v1/events`. `begin` runs before the body is read and refuses a client this
 * isolate already knows is over its limit; `admit` charges the batch, whole or not at all.
 */
export async function beginPublicEvents(c: AppContext): Promise<{ admit(cost: PublicBatchCost): Promise<void> }> {
  const limiter = limiterOf(c);
  if (!limiter) return { admit: async () => {} };
  const client = await clientKeyOf(c);
  // A denial cached here costs neither a body read nor a round trip. Only local state is
  // consulted: a cost of one event, and no object call unless the isolate has a denial.
  await enforceIfCachedDenial(limiter, client);
  return {
    admit: async (cost) => {
      await enforce(limiter, publicBatchCharges(client, cost), { onError: "open" });
    },
  };
}

/**
 * What a public batch costs: the client pays for every event it sent (even rejected ones, so
 * a flood of garbage is limited too; at least one per request), the app and each install pay
 * for the events accepted from them.
 */
export function publicBatchCharges(client: string, cost: PublicBatchCost): LimitCharge[] {
  const perInstall = new Map<string, number>();
  for (const id of cost.distinctIds) perInstall.set(id, (perInstall.get(id) ?? 0) + 1);
  return [
    { kind: "client", key: client, cost: Math.max(1, cost.received) },
    { kind: "app", key: cost.app, cost: cost.distinctIds.length },
    ...[...perInstall].map(([id, n]): LimitCharge => ({ kind: "install", key: `${cost.app}/${id}`, cost: n })),
    ...(cost.tenantId
      ? [{ kind: "tenant", key: cost.tenantId, cost: cost.distinctIds.length } satisfies LimitCharge]
      : []),
  ];
}

async function enforceIfCachedDenial(limiter: RateLimiter, client: string): Promise<void> {
  const decision = limiter.cachedDecision({ kind: "client", key: client, cost: 1 });
  if (decision && !decision.ok) {
    throw new RateLimitedError(decision.limit, decision.retryAfterSeconds, decision.exceedsCapacity);
  }
}

/** Charges an authenticated tenant `units` (report items) on `POST /v1/usage`. */
export async function enforceTenantLimit(c: AppContext, tenantId: string, units: number): Promise<void> {
  const limiter = limiterOf(c);
  if (limiter) await enforce(limiter, [{ kind: "tenant", key: tenantId, cost: units }], { onError: "open" });
}

/** Before verifying a token: refuses a client that has failed too many times (no charge). */
export async function assertAuthAttemptsLeft(c: AppContext): Promise<void> {
  const limiter = limiterOf(c);
  if (!limiter) return;
  const key = await clientKeyOf(c);
  await enforce(limiter, [{ kind: "auth_failures", key, cost: 1 }], { onError: "open", dryRun: true });
}

/**
 * After a token failed to verify: counts the failure. Throws 429 once the client is over its
 * allowance; otherwise the caller answers 401 as usual.
 */
export async function recordAuthFailure(c: AppContext): Promise<void> {
  const limiter = limiterOf(c);
  if (!limiter) return;
  const key = await clientKeyOf(c);
  await enforce(limiter, [{ kind: "auth_failures", key, cost: 1 }], { onError: "open" });
}
