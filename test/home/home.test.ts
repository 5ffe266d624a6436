import { describe, expect, it } from "vitest";
import { call } from "../helpers/harness";

describe("GET / and GET /healthz", () => {
  it("says what this is and where to look", async () => {
    const res = await call("/");
    expect(res.status).toBe(200);
    const body = (await res.json()) as { name: string; endpoints: Record<string, string> };
    expect(body.name).toBe("edgehog");
    expect(body.endpoints.catalog).toMatch(/\/v1\/catalog/);
  });

  it("answers /healthz with 200", async () => {
    const res = await call("/healthz");
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({ ok: true });
  });

  it("answers unknown routes with a JSON 404", async () => {
    const res = await call("/nope");
    expect(res.status).toBe(404);
    expect(await res.json()).toMatchObject({ error: "not_found" });
  });
});
