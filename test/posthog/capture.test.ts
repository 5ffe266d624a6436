import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { toBase64 } from "../../src/lib/bytes";
import { posthogCapturePaths } from "../../src/posthog/routes";
import { compress } from "../helpers/harness";
import { posthogJsEvent, send } from "./helpers";

/**
 * Every capture route takes every encoding PostHog's SDKs send, and they all come to the same
 * thing: the same answer and the same events stored. The caps hold whatever the encoding.
 */

type Encoded = { query: string; init: RequestInit };
const utf8 = (text: string) => new TextEncoder().encode(text);
const base64 = (text: string) => toBase64(utf8(text));
const form = (fields: Record<string, string>): RequestInit => ({
  headers: { "content-type": "application/x-www-form-urlencoded" },
  body: new URLSearchParams(fields).toString(),
});

/** Each way a PostHog SDK (current or older) may send the same JSON. */
const encodings: Record<string, (json: string) => Promise<Encoded>> = {
  json: async (json) => ({ query: "", init: { headers: { "content-type": "application/json" }, body: json } }),
  "text/plain": async (json) => ({ query: "", init: { headers: { "content-type": "text/plain" }, body: json } }),
  "no content type": async (json) => ({ query: "", init: { body: utf8(json) } }),
  "Content-Encoding: gzip": async (json) => ({
    query: "",
    init: { headers: { "content-type": "application/json", "content-encoding": "gzip" }, body: await compress(json) },
  }),
  "gzip as text/plain, no header (posthog-js)": async (json) => ({
    query: "",
    init: { headers: { "content-type": "text/plain" }, body: await compress(json) },
  }),
  "compression=gzip-js": async (json) => ({
    query: "?compression=gzip-js&ver=1.449.2",
    init: { headers: { "content-type": "text/plain" }, body: await compress(json) },
  }),
  "compression=base64 body": async (json) => ({
    query: "?compression=base64",
    init: { headers: { "content-type": "text/plain" }, body: base64(json) },
  }),
  "form data=base64 (posthog-js)": async (json) => ({
    query: "?compression=base64",
    init: form({ data: base64(json) }),
  }),
  "form data=base64, compression in the form": async (json) => ({
    query: "",
    init: form({ data: base64(json), compression: "base64" }),
  }),
  "form data=JSON": async (json) => ({ query: "", init: form({ data: json }) }),
  "form data=base64 of gzip (legacy)": async (json) => ({
    query: "",
    init: form({ data: toBase64(await compress(json)) }),
  }),
  "GET ?data=base64": async (json) => ({
    query: `?compression=base64&data=${encodeURIComponent(base64(json))}`,
    init: { method: "GET" },
  }),
  "GET ?data=JSON": async (json) => ({ query: `?data=${encodeURIComponent(json)}`, init: { method: "GET" } }),
};

const protocol = fc.constantFrom("ssh", "db", "kube", "app", "desktop");
const shape = fc.constantFrom("batch", "array", "single");

describe("PostHog capture routes", () => {
  it("answer 200 {status: 1} on every path, with and without the trailing slash", async () => {
    expect(posthogCapturePaths.sort()).toEqual(
      ["/batch", "/capture", "/e", "/i/v0/e", "/track"].flatMap((p) => [p, `${p}/`]).sort(),
    );
    for (const path of posthogCapturePaths) {
      const event = posthogJsEvent();
      const answer = await send(path, { body: JSON.stringify({ api_key: "teleport-connect", batch: [event] }) });
      expect(answer.status, path).toBe(200);
      expect(answer.body).toEqual({
        status: 1,
        accepted: 1,
        duplicates: 0,
        rejected: [],
        dropped_properties: {},
        reduced_properties: {},
      });
      expect(answer.stored.map((stored) => stored.uuid)).toEqual([event.uuid]);
    }
  });

  it("store the same events and answer the same whatever the encoding and the payload's shape", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.array(protocol, { minLength: 1, maxLength: 4 }),
        shape,
        fc.constantFrom(...posthogCapturePaths),
        async (protocols, form, path) => {
          const events = protocols.map((p) => posthogJsEvent({}, { protocol: p }));
          const payload =
            form === "batch"
              ? { api_key: "teleport-connect", batch: events }
              : form === "array" || events.length > 1
                ? events
                : events[0];
          const json = JSON.stringify(payload);
          const answers = [];
          for (const [name, encode] of Object.entries(encodings)) {
            const { query, init } = await encode(json);
            const answer = await send(`${path}${query}`, init);
            expect(answer.status, name).toBe(200);
            answers.push({ name, body: answer.body, stored: answer.stored });
          }
          const [first] = answers;
          expect(first?.body.accepted).toBe(events.length);
          expect(first?.stored.map((e) => e.uuid)).toEqual(events.map((e) => e.uuid));
          for (const answer of answers) expect({ ...answer, name: "" }).toEqual({ ...first, name: "" });
        },
      ),
      { seed: 16, numRuns: 12 },
    );
  });

  it("refuses lz64 and unknown media types (415), and bodies that are not what they claim (400)", async () => {
    const json = JSON.stringify([posthogJsEvent()]);
    expect(await send("/e/?compression=lz64", form({ data: "N4Ig" }))).toMatchObject({
      status: 415,
      body: { error: "unsupported_encoding" },
    });
    expect(await send("/e/", form({ data: "x", compression: "lz-string" }))).toMatchObject({ status: 415 });
    expect(await send("/batch/", { headers: { "content-type": "application/xml" }, body: json })).toMatchObject({
      status: 415,
      body: { error: "unsupported_media_type" },
    });
    const junkGzip = new Uint8Array([0x1f, 0x8b, 8, 0, 0, 0, 0, 0, 0, 3, 1, 2, 3, 4]);
    expect(await send("/e/", { headers: { "content-type": "text/plain" }, body: junkGzip })).toMatchObject({
      status: 400,
      body: { error: "invalid_encoding" },
    });
    expect(await send("/e/", form({ data: "%%% not base64 %%%" }))).toMatchObject({
      status: 400,
      body: { error: "invalid_encoding" },
    });
    expect(await send("/e/", { body: "{ not json" })).toMatchObject({ status: 400, body: { error: "invalid_json" } });
    expect(await send("/e/", { method: "GET" })).toMatchObject({ status: 400, body: { error: "empty_body" } });
    expect(await send("/batch/", { body: JSON.stringify({ api_key: "teleport-connect", batch: [] }) })).toMatchObject({
      status: 400,
      body: { error: "invalid_batch" },
    });
  });

  it("apply the same size caps to every encoding: a gzip bomb is stopped however it is wrapped", async () => {
    // 5 MB of spaces inside a JSON string: over MAX_DECOMPRESSED_BYTES (4 MiB), a few KB gzipped.
    const bomb = await compress(`{"api_key":"teleport-connect","batch":[],"x":"${" ".repeat(5_000_000)}"}`);
    expect(bomb.byteLength).toBeLessThan(64_000);
    const tooLarge = { status: 413, body: { error: "payload_too_large" } };
    expect(await send("/e/", { headers: { "content-type": "text/plain" }, body: bomb })).toMatchObject(tooLarge);
    expect(
      await send("/batch/", {
        headers: { "content-type": "application/json", "content-encoding": "gzip" },
        body: bomb,
      }),
    ).toMatchObject(tooLarge);
    expect(await send("/e/", form({ data: toBase64(bomb) }))).toMatchObject(tooLarge);
    // Over MAX_BODY_BYTES on the wire, in a GET's data or a body.
    const big = "A".repeat(1_100_000);
    expect(await send(`/e/?data=${big}`, { method: "GET" })).toMatchObject(tooLarge);
    expect(await send("/e/", { body: big })).toMatchObject(tooLarge);
  });

  it("answer a CORS preflight from any origin, and put the CORS headers on errors too", async () => {
    const origin = "https://app.example.com";
    const preflight = await send("/e/", {
      method: "OPTIONS",
      headers: {
        origin,
        "access-control-request-method": "POST",
        "access-control-request-headers": "content-type",
      },
    });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get("access-control-allow-origin")).toBe(origin);
    expect(preflight.headers.get("access-control-allow-credentials")).toBe("true");
    expect(preflight.headers.get("access-control-allow-methods")).toContain("POST");

    const refused = await send("/i/v0/e/", { headers: { origin, "content-type": "text/plain" }, body: "{" });
    expect(refused.status).toBe(400);
    expect(refused.headers.get("access-control-allow-origin")).toBe(origin);
  });
});
