import { env } from "cloudflare:workers";
import { toBinary } from "@bufbuild/protobuf";
import { Code } from "@connectrpc/connect";
import { describe, expect, it } from "vitest";
import { TeleportReportingService } from "../../src/prehog/gen/prehog/v1/teleport_pb";
import {
  ConnectReportingService,
  SubmitConnectEventRequestSchema,
} from "../../src/prehog/gen/prehog/v1alpha/connect_pb";
import { rejection } from "../helpers/connect-error";
import { bearer, compress, randomIp } from "../helpers/harness";
import { recordingEventsQueue } from "../helpers/queue";
import { tenantWithToken } from "../helpers/tenants";
import { connectCases, connectRequest } from "./fixtures";
import { BASE_URL, client, type WireFormat, workerFetch } from "./helpers";

const PATH = `${BASE_URL}/prehog.v1alpha.ConnectReportingService/SubmitConnectEvent`;

function eventBytes(): Uint8Array {
  const [c] = connectCases();
  if (!c) throw new Error("no case");
  return toBinary(SubmitConnectEventRequestSchema, connectRequest(c.event, crypto.randomUUID(), Date.now()));
}

/** A gRPC-Web frame: flags, big-endian length, data. */
function frame(data: Uint8Array, flags = 0): Uint8Array {
  const out = new Uint8Array(5 + data.length);
  out[0] = flags;
  new DataView(out.buffer).setUint32(1, data.length);
  out.set(data, 5);
  return out;
}

/** The trailer of a gRPC-Web answer, wherever it is (headers of a trailers-only answer, or the last frame). */
async function grpcWebStatus(res: Response): Promise<{ status: string | null; message: string }> {
  if (res.headers.has("grpc-status")) {
    return {
      status: res.headers.get("grpc-status"),
      message: decodeURIComponent(res.headers.get("grpc-message") ?? ""),
    };
  }
  const body = new Uint8Array(await res.arrayBuffer());
  const text = new TextDecoder().decode(body.subarray(body.lastIndexOf(0x80) + 5));
  const status = /grpc-status: ?(\d+)/.exec(text)?.[1] ?? null;
  return { status, message: decodeURIComponent(/grpc-message: ?(.*)\r\n/.exec(text)?.[1] ?? "") };
}

describe("prehog errors in Connect's form", () => {
  it.each<WireFormat>([
    "connect+proto",
    "grpc-web+proto",
  ])("answers resource_exhausted with Retry-After once an install is over its limit (%s)", async (format) => {
    const bindings = { ...env, RATE_LIMIT_INSTALL_CAPACITY: "2" };
    const rpc = client(ConnectReportingService, format, bindings);
    const install = crypto.randomUUID();
    const [a, b, c] = connectCases();
    for (const ok of [a, b]) if (ok) await rpc.submitConnectEvent(connectRequest(ok.event, install, Date.now()));
    if (!c) throw new Error("no case");
    const error = await rejection(rpc.submitConnectEvent(connectRequest(c.event, install, Date.now())));
    expect(error.code).toBe(Code.ResourceExhausted);
    expect(error.rawMessage).toMatch(/^rate_limited: this install \(distinct_id\) is sending too many events/);
    expect(error.metadata.get("retry-after")).toMatch(/^[1-9][0-9]*$/);
  });

  it.each<WireFormat>([
    "connect+json",
    "grpc-web+json",
  ])("answers a client the limiter already refused before reading its body, in Connect's form (%s)", async (format) => {
    // Room for one request of one event: the request itself costs a unit, its event another.
    const bindings = { ...env, RATE_LIMIT_CLIENT_CAPACITY: "2", RATE_LIMIT_CLIENT_PER_SECOND: "0.001" };
    const rpc = client(ConnectReportingService, format, bindings);
    const headers = { "cf-connecting-ip": randomIp() };
    const [c] = connectCases();
    if (!c) throw new Error("no case");
    await rpc.submitConnectEvent(connectRequest(c.event, crypto.randomUUID(), Date.now()), { headers });
    for (let i = 0; i < 2; i++) {
      // The first refusal comes from the limiter's object, the next from the isolate's cache of it.
      const error = await rejection(
        rpc.submitConnectEvent(connectRequest(c.event, crypto.randomUUID(), Date.now()), { headers }),
      );
      expect(error.code).toBe(Code.ResourceExhausted);
      expect(error.rawMessage).toMatch(/^rate_limited: this client is sending too much/);
      expect(error.metadata.get("retry-after")).toMatch(/^[1-9][0-9]*$/);
    }
  });

  it("answers unavailable with Retry-After when the Queue or D1 is down", async () => {
    const [c] = connectCases();
    if (!c) throw new Error("no case");
    const queueDown = await rejection(
      client(ConnectReportingService, "grpc-web+proto", {
        ...env,
        EVENTS_QUEUE: recordingEventsQueue({ fail: "throw" }).queue,
      }).submitConnectEvent(connectRequest(c.event, crypto.randomUUID(), Date.now())),
    );
    expect(queueDown.code).toBe(Code.Unavailable);
    expect(queueDown.rawMessage).toMatch(/^storage_unavailable: /);
    expect(queueDown.metadata.get("retry-after")).toBe("5");

    const { issued } = await tenantWithToken(`down-${crypto.randomUUID()}`);
    const db = new Proxy(env.DB, {
      get(target, name) {
        if (name === "batch") return () => Promise.reject(new Error("D1 unavailable (test)"));
        const value = Reflect.get(target, name);
        return typeof value === "function" ? value.bind(target) : value;
      },
    });
    const start = Math.floor(Date.now() / 900_000) * 900_000 - 900_000;
    const dbDown = await rejection(
      client(TeleportReportingService, "connect+proto", { ...env, DB: db }).submitUsageReports(
        {
          userActivity: [
            {
              reportUuid: crypto
                .getRandomValues(new Uint8Array(16))
                .map((b, i) => (i === 6 ? 0x40 | (b & 15) : i === 8 ? 0x80 | (b & 63) : b)),
              clusterName: crypto.getRandomValues(new Uint8Array(32)),
              reporterHostid: crypto.getRandomValues(new Uint8Array(32)),
              startTime: { seconds: BigInt(start / 1000), nanos: 0 },
              records: [{ userName: crypto.getRandomValues(new Uint8Array(32)), logins: 1n }],
            },
          ],
        },
        { headers: bearer(issued.token) },
      ),
    );
    expect(dbDown.code).toBe(Code.Unavailable);
    expect(dbDown.rawMessage).toMatch(/^storage_unavailable: /);
    expect(dbDown.metadata.get("retry-after")).toBe("5");
  });

  it("answers deadline_exceeded once Connect-Timeout-Ms has passed, and still stores the event", async () => {
    const { queue: slow, events } = recordingEventsQueue({ passTo: env.EVENTS_QUEUE, delayMs: 300 });
    const res = await workerFetch({ ...env, EVENTS_QUEUE: slow })(PATH, {
      method: "POST",
      headers: { "content-type": "application/proto", "connect-protocol-version": "1", "connect-timeout-ms": "50" },
      body: eventBytes(),
    });
    expect(res.status).toBe(504);
    expect(await res.json()).toMatchObject({ code: "deadline_exceeded" });
    expect(events).toHaveLength(1);
  });

  it("takes gzip request bodies in both protocols", async () => {
    const { queue, events } = recordingEventsQueue({ passTo: env.EVENTS_QUEUE });
    const post = workerFetch({ ...env, EVENTS_QUEUE: queue });
    const connect = await post(PATH, {
      method: "POST",
      headers: { "content-type": "application/proto", "content-encoding": "gzip" },
      body: await compress(eventBytes()),
    });
    expect(connect.status).toBe(200);
    const grpcWeb = await post(PATH, {
      method: "POST",
      headers: { "content-type": "application/grpc-web+proto", "grpc-encoding": "gzip" },
      body: frame(await compress(eventBytes()), 1),
    });
    expect(grpcWeb.status).toBe(200);
    expect(await grpcWebStatus(grpcWeb)).toEqual({ status: "0", message: "" });
    expect(events).toHaveLength(2);
  });

  it("caps the body on the wire and once inflated, as the JSON routes do", async () => {
    const small = { ...env, MAX_BODY_BYTES: "64", MAX_DECOMPRESSED_BYTES: "1024" };
    const declared = await workerFetch(small)(PATH, {
      method: "POST",
      headers: { "content-type": "application/proto" },
      body: new Uint8Array(100),
    });
    expect(declared.status).toBe(429);
    expect(await declared.json()).toMatchObject({
      code: "resource_exhausted",
      message: expect.stringMatching(/^payload_too_large: /),
    });

    const streamed = await workerFetch(small)(PATH, {
      method: "POST",
      headers: { "content-type": "application/grpc-web+proto" },
      body: new Blob([frame(new Uint8Array(200))]).stream(),
    });
    expect(await grpcWebStatus(streamed)).toMatchObject({
      status: String(Code.ResourceExhausted),
      message: expect.stringMatching(/^payload_too_large: /),
    });

    const bomb = await workerFetch({ ...small, MAX_BODY_BYTES: "4096" })(PATH, {
      method: "POST",
      headers: { "content-type": "application/proto", "content-encoding": "gzip" },
      body: await compress(new Uint8Array(100_000)),
    });
    expect(bomb.status).toBe(429);
    expect(await bomb.json()).toMatchObject({
      message: expect.stringMatching(/^payload_too_large: the decompressed message exceeds 1024 bytes/),
    });
  });

  it("answers invalid_argument for a body that does not decode, in both protocols", async () => {
    const truncated = new Uint8Array([0x1a, 0x05, 0x0a]); // cluster_login, 5 bytes announced, 1 sent
    for (const [headers, body] of [
      [{ "content-type": "application/proto" }, truncated],
      [{ "content-type": "application/proto", "content-encoding": "gzip" }, new Uint8Array([0x1f, 0x8b, 1, 2, 3])],
      [{ "content-type": "application/json" }, new TextEncoder().encode("{not json")],
    ] as const) {
      const res = await workerFetch()(PATH, { method: "POST", headers, body });
      expect(res.status).toBe(400);
      expect(await res.json()).toMatchObject({ code: "invalid_argument" });
    }
    const grpcWeb = await workerFetch()(PATH, {
      method: "POST",
      headers: { "content-type": "application/grpc-web+proto" },
      body: frame(truncated),
    });
    expect(await grpcWebStatus(grpcWeb)).toMatchObject({ status: String(Code.InvalidArgument) });
  });

  it("refuses what it does not serve: plain gRPC, another compression", async () => {
    const grpc = await workerFetch()(PATH, {
      method: "POST",
      headers: { "content-type": "application/grpc" },
      body: frame(eventBytes()),
    });
    expect(grpc.status).toBe(415);
    const deflate = await workerFetch()(PATH, {
      method: "POST",
      headers: { "content-type": "application/proto", "content-encoding": "deflate" },
      body: eventBytes(),
    });
    expect(deflate.status).toBe(501);
    expect(await deflate.json()).toMatchObject({ code: "unimplemented" });
  });
});
