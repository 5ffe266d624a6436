import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import type { DescService } from "@bufbuild/protobuf";
import { type Client, createClient, type Transport } from "@connectrpc/connect";
import { createConnectTransport, createGrpcWebTransport } from "@connectrpc/connect-web";
import { app } from "../../src/app";
import { type QueuedBatch, type StoredEvent, storedEventsOf } from "../../src/ingest/queue-message";

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
    const ctx = createExecutionContext();
    const response = await app.fetch(new Request(input, { method, headers, body, signal }), bindings, ctx);
    await waitOnExecutionContext(ctx);
    return response;
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

/** The real Queue, recording the events sent through it. */
export function capturingQueue(real: Queue = env.EVENTS_QUEUE): { queue: Queue<QueuedBatch>; events: StoredEvent[] } {
  const events: StoredEvent[] = [];
  const queue: Queue<QueuedBatch> = {
    send: (body, options) => {
      events.push(...storedEventsOf(body));
      return real.send(body, options);
    },
    sendBatch: (messages, options) => {
      for (const message of messages) events.push(...storedEventsOf(message.body));
      return real.sendBatch(messages, options);
    },
    metrics: () => real.metrics(),
  };
  return { queue, events };
}

/** A Queue that refuses everything, as during an outage. */
export function failingQueue(): Queue<QueuedBatch> {
  const refuse = async () => {
    throw new Error("queue unavailable (test)");
  };
  return { send: refuse, sendBatch: refuse, metrics: () => env.EVENTS_QUEUE.metrics() };
}

/** A fresh client address, so that each test has its own client buckets. */
export function randomIp(): string {
  const bytes = crypto.getRandomValues(new Uint8Array(3));
  return `10.${bytes[0]}.${bytes[1]}.${bytes[2]}`;
}
