import { randomBytes } from "node:crypto";
import { readFileSync } from "node:fs";
import { createServer, type IncomingHttpHeaders, request } from "node:http";
import type { AddressInfo } from "node:net";
import { gunzipSync } from "node:zlib";
import { isDevProxyRestart, sendPastDevProxyRestarts } from "./dev-proxy-restart";
import type { RunningCollector } from "./wrangler-dev";

/** Helpers shared by the tests that drive edgehog with PostHog's own SDKs. */

/** The installed version of an npm package (what the report says was tested). */
export function installedVersion(name: string): string {
  const url = new URL(`../../node_modules/${name}/package.json`, import.meta.url);
  return (JSON.parse(readFileSync(url, "utf8")) as { version: string }).version;
}

/** A random value shaped like an HMAC-SHA256 digest: what an instrumented app sends for a name. */
export const digest = () => randomBytes(32).toString("base64");

/** What an SDK sent, as the test saw it leave. */
export interface SentRequest {
  method: string;
  path: string;
  contentType: string | undefined;
  contentEncoding: string | undefined;
  /** The first bytes of the body, in hex (gzip starts 1f8b). */
  magic: string;
  status?: number;
}

/** The body's JSON, however the SDK encoded it (gzip, base64 form, plain). */
export function decodeBody(bytes: Buffer): unknown {
  if (bytes[0] === 0x1f && bytes[1] === 0x8b) return JSON.parse(gunzipSync(bytes).toString("utf8"));
  const text = bytes.toString("utf8");
  if (text.startsWith("data=")) {
    const data = new URLSearchParams(text).get("data") ?? "";
    return JSON.parse(Buffer.from(data.replace(/ /g, "+"), "base64").toString("utf8"));
  }
  return JSON.parse(text);
}

export interface DayCounts {
  events: Record<string, number>;
  rejected: Record<string, number>;
}

/** The stats of an app over yesterday, today and tomorrow (UTC), summed: the events of a test run. */
export async function countsAround(collector: RunningCollector, app: string): Promise<DayCounts> {
  const day = (offset: number) => new Date(Date.now() + offset * 86_400_000).toISOString().slice(0, 10);
  const res = await fetch(`${collector.url}/v1/stats/events?app=${app}&from=${day(-1)}&to=${day(1)}`, {
    headers: { authorization: `Bearer ${collector.adminToken}` },
  });
  const stats = (await res.json()) as { days: DayCounts[] };
  const sum: DayCounts = { events: {}, rejected: {} };
  for (const d of stats.days) {
    for (const [k, v] of Object.entries(d.events)) sum.events[k] = (sum.events[k] ?? 0) + v;
    for (const [k, v] of Object.entries(d.rejected)) sum.rejected[k] = (sum.rejected[k] ?? 0) + v;
  }
  return sum;
}

/** Polls until `done` holds for the value `probe` returns, or throws with the last value. */
export async function waitFor<T>(probe: () => Promise<T>, done: (value: T) => boolean, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (done(value)) return value;
    if (Date.now() > deadline) throw new Error(`condition not met within ${timeoutMs} ms: ${JSON.stringify(value)}`);
    await new Promise((resolve) => setTimeout(resolve, 250));
  }
}

/**
 * A pass-through proxy on 127.0.0.1 in front of the collector that records what a client
 * sent: the browser's own instrumentation misses requests a page sends while it unloads. What
 * wrangler dev's own proxy lost on its way to the collector is sent again (dev-proxy-restart.ts),
 * as Node's fetch does in these tests: a browser would get a 503 the collector never gave.
 */
export async function recordingProxy(
  target: string,
): Promise<{ url: string; seen: SentRequest[]; close(): Promise<void> }> {
  const seen: SentRequest[] = [];
  const server = createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on("data", (chunk: Buffer) => chunks.push(chunk));
    req.on("end", () => {
      const body = Buffer.concat(chunks);
      const entry: SentRequest = {
        method: req.method ?? "",
        path: new URL(req.url ?? "/", "http://x").pathname,
        contentType: req.headers["content-type"]?.split(";")[0],
        contentEncoding: req.headers["content-encoding"],
        magic: body.subarray(0, 2).toString("hex"),
      };
      seen.push(entry);
      const upstream = new URL(target);
      const forwardOnce = () =>
        new Promise<{ status: number; headers: IncomingHttpHeaders; body: Buffer }>((resolve, reject) => {
          const out = request(
            `${target}${req.url}`,
            { method: req.method, headers: { ...req.headers, host: upstream.host } },
            (answer) => {
              const parts: Buffer[] = [];
              answer.on("data", (part: Buffer) => parts.push(part));
              answer.on("end", () =>
                resolve({ status: answer.statusCode ?? 502, headers: answer.headers, body: Buffer.concat(parts) }),
              );
              answer.on("error", reject);
            },
          );
          out.on("error", reject);
          out.end(body);
        });
      sendPastDevProxyRestarts(`${req.method} ${entry.path}`, forwardOnce, async (answer) =>
        isDevProxyRestart(answer.status, answer.body.toString("utf8")),
      ).then(
        (answer) => {
          entry.status = answer.status;
          res.writeHead(answer.status, answer.headers);
          res.end(answer.body);
        },
        () => {
          res.writeHead(502);
          res.end();
        },
      );
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    seen,
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}
