import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { call, randomIp } from "./harness";

/** The dashboard through the Worker's own fetch handler, as a browser on `origin` would use it. */

export const LOCAL = "http://127.0.0.1:8787";
export const DEPLOYED = "https://edgehog.example.workers.dev";
/** The operator token of the test configuration (vitest.config.mts). */
export const ADMIN_TOKEN = env.ADMIN_TOKEN;

/** POSTs the sign-in form from the dashboard's own origin (or `from`, for cross-site attempts). */
export function postSignIn(origin: string, token: string, options: { from?: string; next?: string; ip?: string } = {}) {
  const body = new URLSearchParams({ token, ...(options.next ? { next: options.next } : {}) });
  return call(`${origin}/dashboard/login`, {
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
  return call(`${origin}${path}`, {
    redirect: "manual",
    headers: { accept: "text/html,application/xhtml+xml", ...(cookie ? { cookie } : {}) },
  });
}

/**
 * Checks what every dashboard HTML answer carries — a strict CSP whose nonce is on the page's one
 * `<style>`, no-store, no framing, no script, no inline style, nothing from elsewhere — and
 * returns the page.
 */
export async function dashboardHtml(res: Response): Promise<string> {
  expect(res.headers.get("content-type")).toMatch(/^text\/html/);
  expect(res.headers.get("cache-control")).toBe("no-store");
  expect(res.headers.get("x-frame-options")).toBe("DENY");
  expect(res.headers.get("referrer-policy")).toBe("no-referrer");
  expect(res.headers.get("x-content-type-options")).toBe("nosniff");
  const csp = res.headers.get("content-security-policy") ?? "";
  expect(csp).toMatch(/default-src 'none'/);
  expect(csp).toMatch(/frame-ancestors 'none'/);
  expect(csp).toMatch(/form-action 'self'/);
  const nonce = csp.match(/style-src 'nonce-([^']+)'/)?.[1];
  expect(nonce).toBeTruthy();
  const page = await res.text();
  expect(page.startsWith("<!doctype html>")).toBe(true);
  expect(page).toContain(`<style nonce="${nonce}">`);
  expect(page).not.toMatch(/<script|\sstyle="|\son[a-z]+="|https?:\/\/(?!127\.0\.0\.1)/);
  return page;
}
