import { Hono } from "hono";
import { HTTPException } from "hono/http-exception";
import { describe, expect, it } from "vitest";
import { ApiError, handleError, handleNotFound } from "../../src/http/errors";
import { operator, post } from "../helpers/harness";

describe("one error shape", () => {
  it("ApiError is Hono's HTTPException and answers { error, message } with its headers", async () => {
    const err = new ApiError("rate_limited", "slow down", { "Retry-After": "7" });
    expect(err).toBeInstanceOf(HTTPException);
    const res = err.getResponse();
    expect(res.status).toBe(429);
    expect(res.headers.get("retry-after")).toBe("7");
    expect(await res.json()).toEqual({ error: "rate_limited", message: "slow down" });
  });

  it("turns Hono's own HTTPExceptions into the same shape, not a 500", async () => {
    const app = new Hono()
      .get("/hono", () => {
        throw new HTTPException(413, { message: "too big" });
      })
      .get("/bug", () => {
        throw new Error("a bug");
      });
    app.onError(handleError);
    app.notFound(handleNotFound);
    const hono = await app.request("/hono");
    expect(hono.status).toBe(413);
    expect(await hono.json()).toEqual({ error: "payload_too_large", message: "too big" });
    const bug = await app.request("/bug");
    expect(bug.status).toBe(500);
    expect(await bug.json()).toEqual({ error: "internal_error", message: "an unexpected error occurred" });
    expect(await (await app.request("/missing")).json()).toMatchObject({ error: "not_found" });
  });

  it("answers malformed JSON to an operator endpoint with a 400 in that shape", async () => {
    const res = await post("/v1/admin/tenants", "{ not json", { headers: operator() });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ error: "bad_request", message: "Malformed JSON in request body" });
  });
});
