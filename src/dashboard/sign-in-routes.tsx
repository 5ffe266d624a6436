import { Hono } from "hono";
import { adminTokenProblem, isAdminToken } from "../admin/require-admin";
import { readFormBody } from "../http/read-body";
import { limitRequests } from "../ratelimit/middleware";
import { RateLimitedError } from "../ratelimit/rate-limited-error";
import { SignInForm } from "./layout";
import type { DashboardEnv } from "./renderer";
import { endSession, hasSession, safeNext, startSession } from "./session";

/**
 * The dashboard's only routes without a session: the sign-in form, signing in with ADMIN_TOKEN
 * (failed attempts counted against the client, as on the operator API), and signing out.
 */

/** A sign-in form is a few hundred bytes: anything much larger is not one. */
const MAX_FORM_BYTES = 4096;

export const signInRoutes = new Hono<DashboardEnv>()
  .get("/login", async (c) => {
    const next = safeNext(c.req.query("next"));
    const problem = adminTokenProblem(c.env.ADMIN_TOKEN, c.req.url);
    if (!problem && (await hasSession(c))) return c.redirect(next, 302);
    c.status(problem ? 503 : 200);
    return c.render(<SignInForm next={next} disabled={problem} />, { title: "Sign in" });
  })
  .post("/login", limitRequests, async (c) => {
    const problem = adminTokenProblem(c.env.ADMIN_TOKEN, c.req.url);
    if (problem) {
      c.status(503);
      return c.render(<SignInForm next="/dashboard" disabled={problem} />, { title: "Sign in" });
    }
    const form = await readFormBody(c.req.raw, MAX_FORM_BYTES);
    const next = safeNext(form.get("next") ?? undefined);
    const refuse = (error: string, status: 401 | 429) => {
      c.status(status);
      return c.render(<SignInForm next={next} error={error} />, { title: "Sign in" });
    };
    try {
      // The operator API's own check: failed attempts are counted against the client there.
      if (!(await isAdminToken(c, form.get("token") ?? undefined)))
        return refuse("That is not the operator token.", 401);
    } catch (err) {
      if (!(err instanceof RateLimitedError)) throw err;
      c.header("Retry-After", err.headers["Retry-After"] ?? "60");
      return refuse(`Too many failed attempts from this address: try again in ${err.headers["Retry-After"]} s.`, 429);
    }
    await startSession(c, Date.now());
    return c.redirect(next, 303);
  })
  .post("/logout", (c) => {
    endSession(c);
    return c.redirect("/dashboard/login", 303);
  });
