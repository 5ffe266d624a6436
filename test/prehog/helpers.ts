import { env } from "cloudflare:workers";
import type { DescService } from "@bufbuild/protobuf";
import { type Client, createClient, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-web";
import { call } from "../helpers/harness";

/**
 * Real Connect clients (`@connectrpc/connect-web`'s transports) inside workerd: their fetch
 * calls the Worker's Hono app with the given bindings, as the platform would, and waits for
 * the request's background work.
 */

export const BASE_URL = "http://edgehog.test";

export function workerFetch(bindings: Env = env): typeof fetch {
  return (async (input: RequestInfo | URL, init?: RequestInit) => {
    // The browser-only options connect-web sets (redirect "error", mode, credentials) mean
    // nothing to a Worker's own Request: only what reaches the server is kept.
    const { method, headers, body, signal } = init ?? {};
    const url = typeof input === "string" ? input : input instanceof URL ? input.href : input.url;
    return call(url, { method, headers, body, signal }, { bindings });
  }) as typeof fetch;
}

export type WireFormat = "connect+proto" | "connect+json" | "grpc-web+proto" | "grpc-web+json";
export const WIRE_FORMATS: readonly WireFormat[] = ["connect+proto", "connect+json", "grpc-web+proto", "grpc-web+json"];

export function transport(format: WireFormat, bindings: Env = env, timeoutMs?: number): Transport {
  const options = {
    baseUrl: BASE_URL,
    useBinaryFormat: format.endsWith("proto"),
    fetch: workerFetch(bindings),
    ...(timeoutMs === undefined ? {} : { defaultTimeoutMs: timeoutMs }),
  };
  return format.startsWith("connect") ? createConnectTransport(options) : createGrpcWebTransport(options);
}

export function client<T extends DescService>(
  service: T,
  format: WireFormat = "connect+proto",
  bindings: Env = env,
): Client<T> {
  return createClient(service, transport(format, bindings));
}
