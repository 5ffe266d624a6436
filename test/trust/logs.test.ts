import { env } from "cloudflare:workers";
import { afterEach, describe, expect, it, vi } from "vitest";
import { batch, protocolUse } from "../helpers/events";
import { call } from "../helpers/harness";
import { recordingQueue, unavailableDb } from "../helpers/queue";
import { userActivityReport } from "../helpers/reports";
import { tenantWithToken } from "../helpers/tenants";

/**
 * Nothing that identifies a client reaches a log line: not its address, not its User-Agent,
 * not a token it presented. Every console method is captured while requests take the paths
 * that log (a failing Queue, a failing D1, a failing limiter, bad tokens, the error handler).
 */

const IP = "203.0.113.177";
const UA = "AcmeBrowser/9.9 (alice-laptop.corp.example.com)";

afterEach(() => vi.restoreAllMocks());

describe("logs", () => {
  it("never contain an IP address, a User-Agent or a token", async () => {
    const lines: string[] = [];
    for (const method of ["log", "info", "warn", "error", "debug"] as const) {
      vi.spyOn(console, method).mockImplementation((...args: unknown[]) => {
        lines.push(args.map((arg) => (arg instanceof Error ? `${arg.message} ${arg.stack}` : String(arg))).join(" "));
      });
    }
    const { issued } = await tenantWithToken(`logs-${crypto.randomUUID().slice(0, 8)}`);
    const failingQueue = recordingQueue({ fail: "throw" }).queue;
    const failingLimiter = {
      idFromName: (name: string) => env.RATE_LIMITER.idFromName(name),
      get: () => ({
        take: () => Promise.reject(new Error("limiter down")),
        refund: () => Promise.reject(new Error("limiter down")),
      }),
    };
    const report = await userActivityReport({ start: new Date().toISOString(), users: ["a"] });
    const requests: [string, BodyInit | undefined, Record<string, string>, Partial<Env>][] = [
      ["/v1/events", JSON.stringify(batch([protocolUse()])), {}, { EVENTS_QUEUE: failingQueue }],
      [
        "/v1/events",
        JSON.stringify(batch([protocolUse()])),
        {},
        { RATE_LIMITER: failingLimiter as unknown as Env["RATE_LIMITER"] },
      ],
      [
        "/v1/usage",
        JSON.stringify({ reports: [report] }),
        { authorization: `Bearer ${issued.token}` },
        { DB: unavailableDb },
      ],
      [
        "/v1/usage",
        JSON.stringify({ reports: [report] }),
        { authorization: "Bearer ehk_not-a-real-token-at-all-but-well-formed-x" },
        {},
      ],
      ["/v1/stats/health", undefined, { authorization: "Bearer wrong-operator-token" }, {}],
      ["/v1/events", "{ broken", {}, {}],
    ];
    for (const [path, body, headers, vars] of requests) {
      await call(
        path,
        {
          method: body === undefined ? "GET" : "POST",
          headers: { "content-type": "application/json", "user-agent": UA, ...headers },
          body,
        },
        { ip: IP, bindings: vars },
      );
    }
    expect(lines.length).toBeGreaterThan(0); // the failure paths did log
    const all = lines.join("\n");
    for (const secret of [
      IP,
      UA,
      "alice-laptop",
      issued.token,
      "ehk_not-a-real-token",
      "wrong-operator-token",
      env.ADMIN_TOKEN,
    ]) {
      expect(all).not.toContain(secret);
    }
  });
});
