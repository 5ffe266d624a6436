import { Hono } from "hono";

/**
 * The no-op baseline: the same route and body as edgehog's `POST /v1/events`, read in full and
 * answered 202 without any work. Whatever edgehog does beyond this is its own cost.
 */
const app = new Hono();

app.get("/healthz", (c) => c.json({ ok: true }));
app.post("/v1/events", async (c) => {
  const body = await c.req.arrayBuffer();
  return c.json({ accepted: 0, bytes: body.byteLength }, 202);
});

export default app;
