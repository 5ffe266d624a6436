import { describe, expect, it } from "vitest";
import { batch, type IngestResult, protocolUse } from "../helpers/events";
import { call, compress, postEvents } from "../helpers/harness";

/** A body POSTed to /v1/events with exactly `headers` (no content type unless they name one). */
function post(body: BodyInit, headers: Record<string, string>) {
  return call("/v1/events", { method: "POST", headers, body });
}

describe("POST /v1/events: encodings and content types", () => {
  it.each(["gzip", "deflate"] as const)("accepts a %s body", async (format) => {
    const body = await compress(JSON.stringify(batch([protocolUse(), protocolUse()])), format);
    const res = await post(body, { "content-type": "application/json", "content-encoding": format });
    expect(res.status).toBe(202);
    expect(((await res.json()) as IngestResult).accepted).toBe(2);
  });

  it("refuses a gzip bomb on its decompressed size (413)", async () => {
    // 16 MiB of spaces compress to ~16 KB: small on the wire, far over the 4 MiB cap.
    const bomb = await compress(new Uint8Array(16 * 1024 * 1024).fill(0x20));
    expect(bomb.byteLength).toBeLessThan(100_000);
    const res = await post(bomb, { "content-type": "application/json", "content-encoding": "gzip" });
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({
      error: "payload_too_large",
      message: expect.stringMatching(/decompressed/),
    });
  });

  it("refuses a body that is not valid gzip (400)", async () => {
    const res = await post("definitely not gzip", { "content-type": "application/json", "content-encoding": "gzip" });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: "invalid_encoding" });
  });

  it("refuses an unsupported Content-Encoding (415)", async () => {
    const res = await post("{}", { "content-type": "application/json", "content-encoding": "br" });
    expect(res.status).toBe(415);
    expect(await res.json()).toMatchObject({ error: "unsupported_encoding" });
  });

  it.each([
    ["application/x-www-form-urlencoded"],
    ["application/xml"],
    [""],
  ])("refuses Content-Type %j (415)", async (contentType) => {
    const headers: Record<string, string> = contentType ? { "content-type": contentType } : {};
    const res = await post(new Blob([JSON.stringify(batch([protocolUse()]))]), headers);
    expect(res.status).toBe(415);
    expect(await res.json()).toMatchObject({ error: "unsupported_media_type" });
  });

  it("accepts application/json with a charset, and text/plain (sendBeacon)", async () => {
    for (const contentType of ["application/json; charset=utf-8", "text/plain;charset=UTF-8"]) {
      const res = await post(JSON.stringify(batch([protocolUse()])), { "content-type": contentType });
      expect(res.status).toBe(202);
    }
  });

  it.each([
    ["malformed JSON", "{ not json"],
    ["an empty body", ""],
  ])("refuses %s (400)", async (_, body) => {
    const res = await postEvents(body);
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: expect.stringMatching(/invalid_json|empty_body/) });
  });

  it("refuses invalid UTF-8 (400)", async () => {
    const res = await post(new Uint8Array([0x7b, 0xff, 0xfe, 0x7d]), { "content-type": "application/json" });
    expect(res.status).toBe(400);
    expect(await res.json()).toMatchObject({ error: "invalid_json" });
  });
});

describe("POST /v1/events: size limits", () => {
  it("accepts 500 events in one batch (Teleport's reporter sends up to 500)", async () => {
    const events = Array.from({ length: 500 }, () => protocolUse());
    const res = await postEvents(batch(events));
    expect(res.status).toBe(202);
    expect(((await res.json()) as IngestResult).accepted).toBe(500);
  });

  it("refuses more events than MAX_EVENTS_PER_BATCH (413) before validating them", async () => {
    const events = Array.from({ length: 1001 }, () => ({}));
    const res = await postEvents(batch(events));
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: "too_many_events", message: expect.stringMatching(/1000/) });
  });

  it("refuses a body over MAX_BODY_BYTES (413)", async () => {
    const padding = "x".repeat(1_100_000);
    const res = await postEvents(JSON.stringify({ ...batch([protocolUse()]), padding }));
    expect(res.status).toBe(413);
    expect(await res.json()).toMatchObject({ error: "payload_too_large" });
  });

  it("refuses a body over MAX_BODY_BYTES even without Content-Length (streamed)", async () => {
    const chunk = new TextEncoder().encode(" ".repeat(64 * 1024));
    let sent = 0;
    const stream = new ReadableStream<Uint8Array>({
      pull(controller) {
        if (sent++ < 20) controller.enqueue(chunk);
        else controller.close();
      },
    });
    const res = await post(stream, { "content-type": "application/json" });
    expect(res.status).toBe(413);
  });

  it("rejects one event over MAX_EVENT_BYTES, keeping the others", async () => {
    const big = protocolUse({ properties: { padding: "y".repeat(9000) } });
    const res = await postEvents(batch([protocolUse(), big]));
    expect(res.status).toBe(202);
    const body = (await res.json()) as IngestResult;
    expect(body.accepted).toBe(1);
    expect(body.rejected).toEqual([expect.objectContaining({ index: 1, error: "event_too_large" })]);
  });
});
