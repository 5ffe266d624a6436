import type { Context, Next } from "hono";
import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../http/context";
import { clientKey, clientNetwork, connectingIp } from "./client-key";
import { rateLimitsOf } from "./config";
import type { CheckOptions, LimitCharge, LimitDecision } from "./decisions";
import { RateLimiter } from "./limiter";
import { RateLimitedError } from "./rate-limited-error";
import { countRefusal, flushRefusals } from "./refusals";

/**
 * Rate limiting as request context: `limitRequests` computes the client's key once, refuses a
 * client this isolate already knows is over its limit, charges the request itself before
 * anything is read (one unit) and its body before it is parsed (one unit per 8 KiB on the
 * wire, `chargeBody`): garbage is not free,
 * and puts one `RequestLimiter` on `c.var.limiter`. Routes, tenant and operator authentication
 * charge through it; none of them builds a limiter or hashes the client's address again.
 */

/** A request costs its client one unit, plus one per this many bytes of body. */
export const BYTES_PER_REQUEST_UNIT = 8192;

export interface PublicBatchCost {
  app: string;
  /** Every event in the request, valid or not: what the client made the collector read. */
  received: number;
  /** The accepted events' install ids, one entry per event. */
  distinctIds: string[];
  /** The tenant the events are attributed to (a valid tenant token was presented), if any. */
  tenantId?: string | null;
}

/** A forget request: the install it names, in its canonical spelling. */
export interface ForgetCost {
  app: string;
  distinctId: string;
}

/** The limits of one request. Each method throws RateLimitedError (429) when refused. */
export interface RequestLimiter {
  /** Charges a batch of public events, whole or not at all. */
  admitEvents(cost: PublicBatchCost): Promise<void>;
  /**
   * Charges a forget like one event of its install, and one forget to the client's and the
   * app's forget allowances. Fails closed: a forget refused for now is sent again by the
   * client, and a limiter outage must not make tombstones free.
   */
  admitForget(cost: ForgetCost): Promise<void>;
  /** Charges the client for a body of `bytes` on the wire: pass it to `readJsonBody`. */
  chargeBody(bytes: number): Promise<void>;
  /** Charges an authenticated tenant `units` (on the usage doors: the rows its reports can store). */
  chargeTenant(tenantId: string, units: number): Promise<void>;
  /**
   * After a token (tenant or operator) failed to verify: counts the failure, and refuses (429)
   * once the client is over its allowance. A valid token is never refused for failures,
   * whoever made them: a NAT full of tenants is not locked out by one of them.
   */
  recordAuthFailure(): Promise<void>;
}

export interface LimiterEnv extends AppEnv {
  Variables: { limiter: RequestLimiter };
}

/** What a disabled limiter does: nothing. */
const unlimited: RequestLimiter = {
  admitEvents: async () => {},
  admitForget: async () => {},
  chargeBody: async () => {},
  chargeTenant: async () => {},
  recordAuthFailure: async () => {},
};

/** Puts `c.var.limiter` on the request (a no-op one when RATE_LIMIT_ENABLED is false). */
export const limitRequests = createMiddleware<LimiterEnv>(async (c, next) => {
  try {
    await limitAndRun(c, next);
  } finally {
    // Every isolate's 429s, added to D1 at most once a minute (refusals.ts).
    const flushed = flushRefusals(c.env.DB);
    if (flushed) waitUntil(c, flushed);
  }
});

async function limitAndRun(c: Context<LimiterEnv>, next: Next): Promise<void> {
  const limits = rateLimitsOf(c.env);
  if (!limits.enabled) {
    c.set("limiter", unlimited);
    return next();
  }
  const limiter = new RateLimiter({ namespace: c.env.RATE_LIMITER, limits });
  const client = await clientKey(limits.saltSecret, clientNetwork(connectingIp(c.req.raw)), Date.now());
  // A denial cached by this isolate costs neither a body read nor a round trip.
  refuse(limiter.cachedDecision({ kind: "client", key: client, cost: 1 }));
  refuse(await limiter.check([{ kind: "client", key: client, cost: 1 }], { onError: "open" }));
  c.set("limiter", requestLimiter(limiter, client));
  return next();
}

function requestLimiter(limiter: RateLimiter, client: string): RequestLimiter {
  const enforce = async (charges: LimitCharge[], options: CheckOptions) =>
    refuse(await limiter.check(charges, options));
  // Public and tenant traffic fail open when the limiter itself fails (docs/RATE_LIMITING.md).
  return {
    admitEvents: (cost) => enforce(publicBatchCharges(client, cost), { onError: "open" }),
    admitForget: (cost) => enforce(forgetCharges(client, cost), { onError: "closed" }),
    chargeBody: (bytes) =>
      enforce([{ kind: "client", key: client, cost: Math.floor(bytes / BYTES_PER_REQUEST_UNIT) }], { onError: "open" }),
    chargeTenant: (tenantId, units) => enforce([{ kind: "tenant", key: tenantId, cost: units }], { onError: "open" }),
    recordAuthFailure: () => enforce([{ kind: "auth_failures", key: client, cost: 1 }], { onError: "open" }),
  };
}

function refuse(decision: LimitDecision | null): void {
  if (decision && !decision.ok) {
    countRefusal(decision.limit);
    throw new RateLimitedError(decision.limit, decision.retryAfterSeconds, decision.exceedsCapacity);
  }
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

/** What a forget costs: one event of its install (client, app, install), and one forget of the client and of the app. */
export function forgetCharges(client: string, cost: ForgetCost): LimitCharge[] {
  return [
    ...publicBatchCharges(client, { app: cost.app, received: 1, distinctIds: [cost.distinctId] }),
    { kind: "client_forgets", key: client, cost: 1 },
    { kind: "app_forgets", key: cost.app, cost: 1 },
  ];
}

/** Keeps the Worker alive for `work` after the answer; without an execution context (a test calling the app), lets it run. */
function waitUntil(c: Context, work: Promise<void>): void {
  try {
    c.executionCtx.waitUntil(work);
  } catch {
    // No execution context: the promise settles on its own (and never rejects).
  }
}
