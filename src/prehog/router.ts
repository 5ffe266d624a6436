import type { DescService } from "@bufbuild/protobuf";
import { type ConnectRouterOptions, createConnectRouter, createContextValues } from "@connectrpc/connect";
import {
  createAsyncIterable,
  type UniversalHandler,
  universalServerResponseToFetch,
} from "@connectrpc/connect/protocol";
import { type Context, Hono } from "hono";
import { bodyLimitsOf } from "../http/read-body";
import type { LimiterEnv } from "../ratelimit/middleware";
import { cappedBody, gzipCodec } from "./compression";
import { TeleportReportingService as UsageReportingService } from "./gen/prehog/v1/teleport_pb";
import { ConnectReportingService } from "./gen/prehog/v1alpha/connect_pb";
import { TbotReportingService } from "./gen/prehog/v1alpha/tbot_pb";
import { TeleportReportingService as EventReportingService } from "./gen/prehog/v1alpha/teleport_pb";
import { parseFailureAsInvalidArgument } from "./parse-errors";
import {
  connectReporting,
  eventReporting,
  honoContextKey,
  tbotReporting,
  tenantGates,
  usageReporting,
} from "./services";

/**
 * The prehog front door: Teleport's reporting RPCs served by `@connectrpc/connect`'s router,
 * over the Connect protocol (binary and JSON) and gRPC-Web, with gzip. Plain gRPC is off: it
 * needs HTTP trailers, which a Worker cannot send. Hono routes each RPC path to the router's
 * handler; app.ts mounts the limiter and `rpcErrors` before them, as for the JSON routes.
 */

const SERVICES: readonly DescService[] = [
  ConnectReportingService,
  TbotReportingService,
  EventReportingService,
  UsageReportingService,
];

/** The path prefix of each service, for mounting middleware (`/prehog.v1.TeleportReportingService/*`). */
export const prehogPaths = SERVICES.map((service) => `/${service.typeName}/*`);

/** The RPCs served, as `/<package>.<Service>/<Method>`. */
export const rpcPaths = SERVICES.flatMap((service) => service.methods.map((m) => `/${service.typeName}/${m.name}`));

export const prehogRoutes = new Hono<LimiterEnv>();
for (const path of rpcPaths) prehogRoutes.post(path, serveRpc);

async function serveRpc(c: Context<LimiterEnv>): Promise<Response> {
  const handler = handlersOf(c.env).get(c.req.path);
  if (!handler) return c.notFound();
  const request = c.req.raw;
  const body = cappedBody(request, bodyLimitsOf(c.env), c.var.limiter.chargeBody);
  const response = await handler({
    httpVersion: "",
    method: request.method,
    url: request.url,
    header: request.headers,
    body: body ?? createAsyncIterable<Uint8Array>([]),
    signal: request.signal,
    contextValues: createContextValues().set(honoContextKey, c),
  });
  return universalServerResponseToFetch(await parseFailureAsInvalidArgument(response));
}

/** One router per isolate and set of vars (its caps come from them). */
const routers = new WeakMap<object, Map<string, UniversalHandler>>();

function handlersOf(env: Env): Map<string, UniversalHandler> {
  const cached = routers.get(env);
  if (cached) return cached;
  const limits = bodyLimitsOf(env);
  const options: ConnectRouterOptions = {
    grpc: false,
    grpcWeb: true,
    connect: true,
    // Each message once inflated; the bytes on the wire are capped before (cappedBody).
    readMaxBytes: limits.MAX_DECOMPRESSED_BYTES,
    acceptCompression: [gzipCodec(limits)],
  };
  const router = createConnectRouter(options)
    .service(ConnectReportingService, connectReporting, { ...options, requestGate: tenantGates.optional })
    .service(TbotReportingService, tbotReporting, { ...options, requestGate: tenantGates.optional })
    .service(EventReportingService, eventReporting, { ...options, requestGate: tenantGates.required })
    .service(UsageReportingService, usageReporting, { ...options, requestGate: tenantGates.required });
  const handlers = new Map(router.handlers.map((handler) => [handler.requestPath, handler]));
  routers.set(env, handlers);
  return handlers;
}
