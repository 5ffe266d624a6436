import type { DescService } from "@bufbuild/protobuf";
import { type ConnectRouterOptions, createConnectRouter, createContextValues } from "@connectrpc/connect";
import {
  createAsyncIterable,
  type UniversalHandler,
  universalServerResponseToFetch,
} from "@connectrpc/connect/protocol";
import type { Context } from "hono";
import { z } from "zod";
import type { RequestErrorCode } from "../http/error-codes";
import { routesApp } from "../http/openapi";
import { bodyLimitsOf } from "../http/read-body";
import { type LimiterEnv, limitRequests } from "../ratelimit/middleware";
import { cappedBody, gzipCodec } from "./compression";
import { rpcOnError } from "./errors";
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
 * handler, after the limiter (every RPC is charged to its client); errors raised before the
 * router (the limiter's 429) are answered in Connect's form by this app's `onError`.
 */

const SERVICES: readonly DescService[] = [
  ConnectReportingService,
  TbotReportingService,
  EventReportingService,
  UsageReportingService,
];

/** The RPCs served, as `/<package>.<Service>/<Method>`. */
export const rpcPaths = SERVICES.flatMap((service) => service.methods.map((m) => `/${service.typeName}/${m.name}`));

/** The codes an RPC's Connect error may lead with. */
const RPC_ERRORS: readonly RequestErrorCode[] = [
  "invalid_body",
  "unauthorized",
  "tenant_disabled",
  "payload_too_large",
  "too_many_events",
  "too_many_reports",
  "rate_limited",
  "storage_unavailable",
];

export const prehogRoutes = routesApp<LimiterEnv>();
for (const service of SERVICES) prehogRoutes.use(`/${service.typeName}/*`, limitRequests);
for (const path of rpcPaths) prehogRoutes.post(path, serveRpc);
prehogRoutes.onError(rpcOnError);
for (const service of SERVICES) {
  for (const method of service.methods) {
    prehogRoutes.openAPIRegistry.registerPath({
      method: "post",
      path: `/${service.typeName}/${method.name}`,
      tags: ["prehog"],
      summary: `${service.name}.${method.name} (Teleport's reporting RPC)`,
      description: `A Connect RPC (binary or JSON) or gRPC-Web call: the body is the protobuf message ${method.input.typeName}, capped on the wire and once inflated (gzip), decoded and validated by the Connect router (docs/PREHOG.md); errors are Connect errors whose message starts with the error code. ${service === ConnectReportingService ? "A tenant token is optional." : "A tenant token is required."}`,
      responses: {
        200: {
          description: `the ${method.output.typeName} answer`,
          content: {
            "application/proto": { schema: z.string().describe(method.output.typeName) },
            "application/json": { schema: z.looseObject({}) },
          },
        },
        default: {
          description: `a Connect error (gRPC-Web: in the headers): its message is led by the error code, one of ${RPC_ERRORS.join(", ")}`,
          content: { "application/json": { schema: z.object({ code: z.string(), message: z.string() }) } },
        },
      },
    });
  }
}

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
