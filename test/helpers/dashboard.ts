import { env, exports } from "cloudflare:workers";
import { randomIp } from "../ratelimit/helpers";

/** The dashboard through the Worker's own fetch handler, as a browser on `origin` would use it. */

export const LOCAL = "http://127.0.0.1:8787";
export const DEPLOYED = "https://edgehog.example.workers.dev";
/** The operator token of the test configuration (vitest.config.mts). */
export const ADMIN_TOKEN = env.ADMIN_TOKEN;

/** POSTs the sign-in form from the dashboard's own origin (or `from`, for cross-site attempts). */
export function postSignIn(origin: string, token: string, options: { from?: string; next?: string; ip?: string } = {}) {
  const body = new URLSearchParams({ token, ...(options.next ? { next: options.next } : {}) });
  return exports.default.fetch(`${origin}/dashboard/login`, {
    method: "POST",
    redirect: "manual",
    headers: {
      "content-type": "application/x-www-form-urlencoded",
      origin: options.from ?? origin,
      "sec-fetch-site": options.from && options.from !== origin ? "cross-site" : "same-origin",
      // Failed attempts are counted per client: each sign-in comes from its own address unless told.
      "cf-connecting-ip": options.ip ?? randomIp(),
    },
    body,
  });
}

/** Signs in with the test ADMIN_TOKEN and returns the `Cookie` header the browser would send. */
export async function signIn(origin = LOCAL): Promise<string> {
  const res = await postSignIn(origin, ADMIN_TOKEN);
  if (res.status !== 303) throw new Error(`sign-in answered ${res.status}: ${await res.text()}`);
  const cookie = res.headers.get("set-cookie")?.split(";")[0];
  if (!cookie) throw new Error("sign-in set no cookie");
  return cookie;
}

/** A dashboard GET as a browser navigation (Accept: text/html), with `cookie` if given. */
export function getPage(path: string, cookie?: string, origin = LOCAL) {
  return exports.default.fetch(`${origin}${path}`, {
    redirect: "manual",
    headers: { accept: "text/html,application/xhtml+xml", ...(cookie ? { cookie } : {}) },
  });
}
