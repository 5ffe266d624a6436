import { Code, ConnectError, createContextKey, type HandlerContext, type ServiceImpl } from "@connectrpc/connect";
import type { Context } from "hono";
import { billingGraceDaysOf } from "../billing/report-bounds";
import type { Rejection } from "../http/judge";
import { type IngestResult, ingest, ingestContext } from "../ingest/core";
import { ingestLimitsOf } from "../ingest/limits";
import { uuidBytes } from "../lib/bytes";
import type { LimiterEnv } from "../ratelimit/middleware";
import { optionalTenant, requiredTenant } from "../tenants/auth";
import type { TenantRow } from "../tenants/store";
import { submitReports } from "../usage/submit";
import { toConnectError } from "./errors";
import { CLUSTER_APP, CONNECT_APP, clusterEvent, connectEvent, TBOT_APP, tbotEvent } from "./events";
import type { TeleportReportingService as UsageReportingService } from "./gen/prehog/v1/teleport_pb";
import type { ConnectReportingService } from "./gen/prehog/v1alpha/connect_pb";
import type { TbotReportingService } from "./gen/prehog/v1alpha/tbot_pb";
import type { TeleportReportingService as EventReportingService } from "./gen/prehog/v1alpha/teleport_pb";
import { usageReportsBody } from "./usage-reports";

/**
 * The RPC implementations: each decodes its request (events.ts, usage-reports.ts), hands it to
 * the same code as the JSON routes (the ingest core, `submitReports`), and answers in Connect's
 * terms. The caller is authenticated by a request gate, before the body is read.
 */

/** The Hono context of the request, so an RPC reaches the bindings and the request's limiter. */
export const honoContextKey = createContextKey<Context<LimiterEnv> | undefined>(undefined, {
  description: "the Hono request context",
});
const tenantKey = createContextKey<TenantRow | null>(null, { description: "the caller's tenant" });

function honoContext(ctx: HandlerContext): Context<LimiterEnv> {
  const c = ctx.values.get(honoContextKey);
  if (!c) throw new ConnectError("the RPC was called without its request context", Code.Internal);
  return c;
}

/** Request gates: the tenant token, checked before any body is read or inflated. */
export const tenantGates = {
  optional: (ctx: HandlerContext) =>
    failingAsRpc(ctx, async () => void ctx.values.set(tenantKey, await optionalTenant(honoContext(ctx)))),
  required: (ctx: HandlerContext) =>
    failingAsRpc(ctx, async () => void ctx.values.set(tenantKey, await requiredTenant(honoContext(ctx)))),
};

function tenantOf(ctx: HandlerContext): TenantRow {
  const tenant = ctx.values.get(tenantKey);
  if (!tenant) throw new ConnectError("the RPC ran without its tenant gate", Code.Internal);
  return tenant;
}

export const connectReporting: ServiceImpl<typeof ConnectReportingService> = {
  submitConnectEvent: (request, ctx) =>
    rpc(ctx, async (c) => {
      const tenantId = ctx.values.get(tenantKey)?.id ?? null;
      const result = await ingest(
        { app: CONNECT_APP, events: [await connectEvent(request)] },
        ingestContext(c, tenantId),
      );
      answerIngest(ctx, result);
      return {};
    }),
};

export const tbotReporting: ServiceImpl<typeof TbotReportingService> = {
  submitTbotEvent: (request, ctx) =>
    rpc(ctx, async (c) => {
      const tenantId = ctx.values.get(tenantKey)?.id ?? null;
      const result = await ingest({ app: TBOT_APP, events: [await tbotEvent(request)] }, ingestContext(c, tenantId));
      answerIngest(ctx, result);
      return {};
    }),
};

export const eventReporting: ServiceImpl<typeof EventReportingService> = {
  // The single-event RPC Teleport keeps for old clusters: a batch of one.
  submitEvent: (request, ctx) =>
    rpc(ctx, async (c) => {
      const tenantId = tenantOf(ctx).id;
      const events = [await clusterEvent(request, tenantId)];
      answerIngest(ctx, await ingest({ app: CLUSTER_APP, events }, ingestContext(c, tenantId)));
      return {};
    }),
  submitEvents: (request, ctx) =>
    rpc(ctx, async (c) => {
      const tenantId = tenantOf(ctx).id;
      // A batch the core refuses by its count is not worth decoding: it gets the raw list.
      const events =
        request.events.length > ingestLimitsOf(c.env).MAX_EVENTS_PER_BATCH
          ? request.events
          : await Promise.all(request.events.map((event) => clusterEvent(event, tenantId)));
      answerIngest(ctx, await ingest({ app: CLUSTER_APP, events }, ingestContext(c, tenantId)));
      return {};
    }),
  helloTeleport: (_request, ctx) => rpc(ctx, async () => ({})),
};

export const usageReporting: ServiceImpl<typeof UsageReportingService> = {
  submitUsageReports: (request, ctx) =>
    rpc(ctx, async (c) => {
      const receivedAt = Date.now();
      const body = await usageReportsBody(request);
      const outcome = await submitReports(c.env.DB, c.var.limiter, tenantOf(ctx), body, {
        receivedAt,
        graceDays: billingGraceDaysOf(c.env),
      });
      setCounts(ctx, outcome.accepted, outcome.duplicates, outcome.rejected.length);
      if (outcome.allRejected) throw rejectedWhole(outcome.rejected, "report");
      return { batchUuid: uuidBytes(crypto.randomUUID()) };
    }),
};

/**
 * Runs an RPC's work until the client's deadline (Connect-Timeout-Ms, grpc-timeout). Past it,
 * the client gets `deadline_exceeded` and the work still finishes in the background: what it
 * stores is keyed by uuids the client's retry repeats, so nothing is counted twice.
 */
async function rpc<T>(ctx: HandlerContext, work: (c: Context<LimiterEnv>) => Promise<T>): Promise<T> {
  return failingAsRpc(ctx, async () => {
    const c = honoContext(ctx);
    const running = work(c);
    c.executionCtx.waitUntil(running.catch(() => {}));
    return untilAborted(ctx.signal, running);
  });
}

/**
 * Any error as a ConnectError, its headers (Retry-After, WWW-Authenticate) set as response
 * headers, which both protocols send as HTTP headers (gRPC-Web would put metadata in trailers).
 */
async function failingAsRpc<T>(ctx: HandlerContext, work: () => Promise<T>): Promise<T> {
  try {
    return await work();
  } catch (err) {
    const error = toConnectError(err);
    error.metadata.forEach((value, name) => {
      ctx.responseHeader.set(name, value);
    });
    throw new ConnectError(error.rawMessage, error.code, undefined, undefined, error.cause);
  }
}

function untilAborted<T>(signal: AbortSignal, work: Promise<T>): Promise<T> {
  if (signal.aborted) return Promise.reject(ConnectError.from(signal.reason, Code.DeadlineExceeded));
  return new Promise<T>((resolve, reject) => {
    const abort = () => reject(ConnectError.from(signal.reason, Code.DeadlineExceeded));
    signal.addEventListener("abort", abort, { once: true });
    work.then(resolve, reject).finally(() => signal.removeEventListener("abort", abort));
  });
}

/** Success when at least one event was accepted (as `POST /v1/events` answers 202); otherwise invalid_argument. */
function answerIngest(ctx: HandlerContext, result: IngestResult): void {
  setCounts(ctx, result.accepted, result.duplicates, result.rejected.length);
  if (result.accepted === 0 && result.rejected.length > 0) throw rejectedWhole(result.rejected, "event");
}

/** What a client cannot see in an empty response message: the counts, as response headers. */
function setCounts(ctx: HandlerContext, accepted: number, duplicates: number, rejected: number): void {
  ctx.responseHeader.set("edgehog-accepted", String(accepted));
  ctx.responseHeader.set("edgehog-duplicates", String(duplicates));
  ctx.responseHeader.set("edgehog-rejected", String(rejected));
}

/** "not_anonymized (properties.cluster_name): …", naming the item when the request had several. */
function rejectedWhole(
  rejected: readonly Pick<Rejection, "index" | "error" | "field" | "message">[],
  noun: string,
): ConnectError {
  const [first] = rejected;
  if (!first) return new ConnectError(`no ${noun} was accepted`, Code.InvalidArgument);
  const where = rejected.length > 1 || first.index > 0 ? `${noun} ${first.index}: ` : "";
  const more = rejected.length > 1 ? ` (and ${rejected.length - 1} more ${noun}s rejected)` : "";
  const field = first.field ? ` (${first.field})` : "";
  return new ConnectError(`${where}${first.error}${field}: ${first.message}${more}`, Code.InvalidArgument);
}
