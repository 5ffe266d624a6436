import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env, exports } from "cloudflare:workers";
import { app } from "../../src/app";
import worker from "../../src/index";

/**
 * The one way tests call the Worker over HTTP, and the credentials they call it with. A request
 * goes to the Worker's own fetch handler with the test's bindings (`exports.default`), or, when a
 * test replaces bindings (a failing Queue, forwarding on, a metered D1), to the same Hono app
 * with them, waiting for the work it left running (`waitUntil`) as the platform would. The
 * operator token is the one the test Worker has (`env.ADMIN_TOKEN`, vitest.config.mts), never
 * written out again.
 */

export const ORIGIN = "http://edgehog.test";

/** What a test adds to a request: headers, the client's address, bindings replacing the test's. */
export interface CallOptions {
  headers?: Record<string, string>;
  /** The client's address (`cf-connecting-ip`): the rate limiter's client. */
  ip?: string;
  /**
   * Bindings replacing the test's own. With them (even `{}`) the request runs in this test's
   * execution context, and the call returns once the work the request left running is done.
   */
  bindings?: Partial<Env>;
}

/** The Authorization header of `token`. */
export function bearer(token: string): Record<string, string> {
  return { authorization: `Bearer ${token}` };
}

/** The operator's Authorization header (ADMIN_TOKEN as the test Worker has it). */
export function operator(): Record<string, string> {
  return bearer(env.ADMIN_TOKEN);
}

/** A fresh client address, so that a test has its own client buckets in the rate limiter. */
export function randomIp(): string {
  const [a = 0, b = 0, c = 0] = crypto.getRandomValues(new Uint8Array(3));
  return `10.${a}.${b}.${c}`;
}

/** Calls the Worker's fetch handler; `path` is a path on ORIGIN, or a whole URL. */
export async function call(path: string, init: RequestInit = {}, options: CallOptions = {}): Promise<Response> {
  const url = /^https?:/.test(path) ? path : `${ORIGIN}${path}`;
  const headers = new Headers(init.headers);
  for (const [name, value] of Object.entries(options.headers ?? {})) headers.set(name, value);
  if (options.ip !== undefined) headers.set("cf-connecting-ip", options.ip);
  const request = new Request(url, { ...init, headers });
  if (options.bindings === undefined) return exports.default.fetch(request);
  const ctx = createExecutionContext();
  const res = await app.fetch(request, { ...env, ...options.bindings }, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

/** GET `path`. */
export function get(path: string, options: CallOptions = {}): Promise<Response> {
  return call(path, { method: "GET" }, options);
}

/**
 * POSTs `body` to `path` as JSON: an object is serialised, a string or bytes are sent as they
 * are (malformed JSON, a compressed body), under `content-type: application/json` unless the
 * options' headers say otherwise.
 */
export function post(path: string, body: unknown, options: CallOptions = {}, method = "POST"): Promise<Response> {
  const raw =
    typeof body === "string" || body instanceof Uint8Array || body instanceof ArrayBuffer || body instanceof Blob;
  return call(
    path,
    {
      method,
      headers: { "content-type": "application/json" },
      body: body === undefined ? undefined : raw ? (body as BodyInit) : JSON.stringify(body),
    },
    options,
  );
}

/** `data` compressed as `format` (gzip, as the SDKs send, unless said otherwise). */
export async function compress(data: string | Uint8Array, format: "gzip" | "deflate" = "gzip"): Promise<Uint8Array> {
  const stream = new Blob([data]).stream().pipeThrough(new CompressionStream(format));
  return new Uint8Array(await new Response(stream).arrayBuffer());
}

/** An answer read whole: its status, headers and JSON body (`{}` when it has none). */
export interface Answer<T> {
  status: number;
  headers: Headers;
  body: T;
}

export async function answerOf<T = Record<string, unknown>>(res: Response | Promise<Response>): Promise<Answer<T>> {
  const response = await res;
  const text = await response.text();
  return { status: response.status, headers: response.headers, body: (text ? JSON.parse(text) : {}) as T };
}

/** A door's POST: `body` (an object, or JSON as a string) with `headers` added. */
const postTo =
  (path: string) =>
  (body: unknown, headers: Record<string, string> = {}, options: CallOptions = {}): Promise<Response> =>
    post(path, body, { ...options, headers: { ...headers, ...options.headers } });

/** POSTs a batch to /v1/events. */
export const postEvents = postTo("/v1/events");

/** POSTs usage reports (`{ reports }`) to /v1/usage. */
export const postUsage = postTo("/v1/usage");

/** What a JSON request is: its method, path, body (none for GET) and options. */
type CallJsonArgs = [method: string, path: string, body?: unknown, options?: CallOptions];

/** A request with a JSON body (none for GET), the answer read whole. */
export function callJson<T = Record<string, unknown>>(...[method, path, body, options = {}]: CallJsonArgs) {
  return answerOf<T>(method === "GET" ? get(path, options) : post(path, body, options, method));
}

/** The operator API: a request with the operator's token (and `options.headers`), the answer read whole. */
export const operatorCall = <T = Record<string, unknown>>(...[method, path, body, options = {}]: CallJsonArgs) =>
  callJson<T>(method, path, body, { ...options, headers: { ...operator(), ...options.headers } });

/** GETs an operator route that must answer 200, and returns its JSON. */
export async function operatorGet<T>(path: string, options: CallOptions = {}): Promise<T> {
  const answer = await operatorCall<T>("GET", path, undefined, options);
  if (answer.status !== 200) throw new Error(`GET ${path} answered ${answer.status}: ${JSON.stringify(answer.body)}`);
  return answer.body;
}

/** Runs the Worker's hourly cron (retention, billing, tombstones, rewrites) as of `scheduledTime`. */
export function runHourlyCron(scheduledTime = Date.now(), bindings: Partial<Env> = {}): Promise<void> {
  return worker.scheduled(createScheduledController({ scheduledTime, cron: "17 * * * *" }), { ...env, ...bindings });
}

/** The rows a query of the test's own returns from the event database (`env.DB`). */
export async function rows<T = Record<string, unknown>>(sql: string, ...params: unknown[]): Promise<T[]> {
  return (
    await env.DB.prepare(sql)
      .bind(...params)
      .all<T>()
  ).results;
}

/** How many rows of `table` match `where` (SQL of the test's own, bound to `params`). */
export async function countRows(table: string, where: string, ...params: unknown[]): Promise<number> {
  const [row] = await rows<{ n: number }>(`SELECT COUNT(*) AS n FROM ${table} WHERE ${where}`, ...params);
  return row?.n ?? 0;
}

/** POSTs a forget of `distinctId` (teleport-connect) from a fresh client unless `options.ip` says. */
export function forget(distinctId: unknown, options: CallOptions = {}): Promise<Response> {
  return post("/v1/forget", { app: "teleport-connect", distinct_id: distinctId }, { ip: randomIp(), ...options });
}
