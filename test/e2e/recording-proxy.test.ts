import { createServer } from "node:http";
import type { AddressInfo } from "node:net";
import { afterAll, describe, expect, it, vi } from "vitest";
import { recordingProxy } from "./posthog";

/**
 * The recording proxy the browser tests put in front of wrangler dev sends again a request that
 * wrangler dev's own proxy lost (its fixed 503 sentence), and passes any other 503 through.
 */

/** An upstream that answers each POST with the next of `answers`, then 200. */
async function upstream(answers: Array<{ status: number; body: string }>) {
  const bodies: string[] = [];
  const server = createServer((req, res) => {
    const parts: Buffer[] = [];
    req.on("data", (part: Buffer) => parts.push(part));
    req.on("end", () => {
      bodies.push(Buffer.concat(parts).toString("utf8"));
      const answer = answers.shift() ?? { status: 200, body: '{"status":1}' };
      res.writeHead(answer.status, { "content-type": "text/plain" });
      res.end(answer.body);
    });
  });
  await new Promise<void>((resolve) => server.listen(0, "127.0.0.1", resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    bodies,
    close: () => new Promise<void>((resolve) => server.close(() => resolve())),
  };
}

const closing: Array<() => Promise<void>> = [];
afterAll(async () => {
  for (const close of closing) await close();
});

describe("the recording proxy", () => {
  it("sends again what wrangler dev's proxy lost, and records the answer that came", async () => {
    const said = vi.spyOn(console, "warn").mockImplementation(() => {});
    const target = await upstream([{ status: 503, body: "Your worker restarted mid-request." }]);
    const proxy = await recordingProxy(target.url);
    closing.push(target.close, proxy.close);
    const res = await fetch(`${proxy.url}/e/`, { method: "POST", body: "the batch" });
    expect(res.status).toBe(200);
    expect(await res.text()).toBe('{"status":1}');
    expect(target.bodies).toEqual(["the batch", "the batch"]);
    expect(proxy.seen).toEqual([expect.objectContaining({ method: "POST", path: "/e/", status: 200 })]);
    expect(said).toHaveBeenCalledWith("wrangler dev's proxy dropped POST /e/; sending it again");
    said.mockRestore();
  });

  it("passes the collector's own 503 through, once", async () => {
    const own = '{"error":{"code":"storage_unavailable"}}';
    const target = await upstream([{ status: 503, body: own }]);
    const proxy = await recordingProxy(target.url);
    closing.push(target.close, proxy.close);
    const res = await fetch(`${proxy.url}/e/`, { method: "POST", body: "the batch" });
    expect(res.status).toBe(503);
    expect(await res.text()).toBe(own);
    expect(target.bodies).toHaveLength(1);
    expect(proxy.seen[0]?.status).toBe(503);
  });
});
