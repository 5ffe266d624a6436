// The launcher's readiness probe (scripts/lib/local-net.mjs) waits for a server that may hold a
// request, or stall in the middle of its answer, as a wrangler dev still starting can: whatever
// the server does, the probe resolves within its time and closes its connection.
import { createServer, type IncomingMessage, type ServerResponse } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { freePort, probe } from "../../scripts/lib/local-net.mjs";

const BEHAVIOURS: Record<string, (res: ServerResponse) => void> = {
  "/ok": (res) => res.end("ok"),
  "/unavailable": (res) => {
    res.statusCode = 503;
    res.end("starting");
  },
  "/held": () => {},
  "/stalled": (res) => {
    res.writeHead(200, { "content-type": "text/plain" });
    res.write("the first half");
  },
};

let base = "";
const closed: string[] = [];
const server = createServer((req: IncomingMessage, res: ServerResponse) => {
  req.socket.once("close", () => closed.push(req.url ?? ""));
  BEHAVIOURS[req.url ?? ""]?.(res);
});
beforeAll(async () => {
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
});
afterAll(async () => {
  server.closeAllConnections();
  await new Promise((resolve) => server.close(resolve));
});

describe("the readiness probe", () => {
  it("resolves the status of a whole answer", async () => {
    expect(await probe(`${base}/ok`, 1000)).toBe(200);
    expect(await probe(`${base}/unavailable`, 1000)).toBe(503);
  });

  it("resolves what went wrong when nothing listens", async () => {
    expect(await probe(`http://127.0.0.1:${await freePort()}/healthz`, 1000)).toBe("ECONNREFUSED");
  });

  it.each([
    { path: "/held", what: "holds the request" },
    { path: "/stalled", what: "stalls in the middle of its answer" },
  ])("resolves within its time when the server $what, and hangs up", async ({ path }) => {
    const started = Date.now();
    expect(await probe(`${base}${path}`, 300)).toBe("no answer within 300 ms");
    expect(Date.now() - started).toBeLessThan(5000);
    await expect.poll(() => closed.includes(path)).toBe(true);
  });
});
