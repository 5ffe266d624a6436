import type { Context } from "hono";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { createMiddleware } from "hono/factory";
import { adminTokenProblem } from "../admin/require-admin";
import type { AppEnv } from "../http/context";
import { toBase64Url } from "../lib/bytes";
import { constantTimeEqual, hmacKey, hmacSha256 } from "../lib/crypto";
import { isLoopbackHost } from "../lib/loopback";
import { HOUR_MS, SECOND_MS } from "../lib/time";

/**
 * The dashboard's session: a stateless cookie, `<expiry in seconds>.<HMAC of it>`, keyed by a
 * key derived from ADMIN_TOKEN. Nothing is stored: rotating ADMIN_TOKEN signs every session
 * out, and a session ends at its expiry. Signing out clears the cookie in that browser only;
 * a copied cookie stays valid until it expires (SESSION_TTL_MS) or the token is rotated.
 */

export const SESSION_TTL_MS = 8 * HOUR_MS;
const SESSION_CONTEXT = "edgehog dashboard session v1";

/** Loopback over plain HTTP (wrangler dev): the one place the cookie cannot be `Secure`. */
function isLocalHttp(url: URL): boolean {
  return url.protocol === "http:" && isLoopbackHost(url.hostname);
}

/**
 * Over HTTPS the cookie is `__Host-` prefixed: Secure, Path=/, no Domain, so no sibling
 * subdomain can set or shadow it. Locally (http://127.0.0.1) it cannot be Secure, hence no prefix.
 */
export function sessionCookieName(url: URL): string {
  return isLocalHttp(url) ? "edgehog_session" : "__Host-edgehog_session";
}

let cachedKey: { token: string; key: Promise<CryptoKey> } | undefined;

/** HMAC(ADMIN_TOKEN, context) as the signing key: sessions never sign with the token itself. */
function sessionKey(adminToken: string): Promise<CryptoKey> {
  if (cachedKey?.token !== adminToken) {
    const key = hmacKey(adminToken)
      .then((tokenKey) => hmacSha256(tokenKey, SESSION_CONTEXT))
      .then((derived) => hmacKey(derived));
    cachedKey = { token: adminToken, key };
  }
  return cachedKey.key;
}

async function signature(adminToken: string, expiresAtSeconds: number): Promise<string> {
  return toBase64Url(await hmacSha256(await sessionKey(adminToken), `session:${expiresAtSeconds}`));
}

/** A session value that expires at `expiresAt` (ms). */
export async function signSession(adminToken: string, expiresAt: number): Promise<string> {
  const seconds = Math.floor(expiresAt / SECOND_MS);
  return `${seconds}.${await signature(adminToken, seconds)}`;
}

/** Whether `value` is a session signed with this ADMIN_TOKEN and not expired at `now`. */
export async function isValidSession(adminToken: string, value: string | undefined, now: number): Promise<boolean> {
  const match = value?.match(/^(\d{1,12})\.([A-Za-z0-9_-]{43})$/);
  if (!adminToken || !match?.[1] || !match[2]) return false;
  const seconds = Number(match[1]);
  if (seconds * SECOND_MS <= now) return false;
  return constantTimeEqual(match[2], await signature(adminToken, seconds));
}

/** Signs the browser in: an HttpOnly, SameSite=Strict cookie with Max-Age and Expires. */
export async function startSession<E extends AppEnv>(c: Context<E>, now: number): Promise<void> {
  const url = new URL(c.req.url);
  const expiresAt = now + SESSION_TTL_MS;
  setCookie(c, sessionCookieName(url), await signSession(c.env.ADMIN_TOKEN, expiresAt), {
    path: "/",
    httpOnly: true,
    secure: !isLocalHttp(url),
    sameSite: "Strict",
    maxAge: SESSION_TTL_MS / SECOND_MS,
    expires: new Date(expiresAt),
  });
}

export function endSession<E extends AppEnv>(c: Context<E>): void {
  const url = new URL(c.req.url);
  deleteCookie(c, sessionCookieName(url), {
    path: "/",
    httpOnly: true,
    secure: !isLocalHttp(url),
    sameSite: "Strict",
  });
}

/** A valid session, under an ADMIN_TOKEN this request may use (a weak one only on loopback). */
export async function hasSession<E extends AppEnv>(c: Context<E>): Promise<boolean> {
  if (adminTokenProblem(c.env.ADMIN_TOKEN, c.req.url)) return false;
  const value = getCookie(c, sessionCookieName(new URL(c.req.url)));
  return isValidSession(c.env.ADMIN_TOKEN, value, Date.now());
}

/** Where the sign-in form sends the operator back to: a dashboard path of this origin, nothing else. */
export function safeNext(next: string | undefined): string {
  return next && /^\/dashboard(\/[a-z-]*(\/[a-z-]*)?(\.csv)?)?(\?[\w=&%.+-]*)?$/.test(next) ? next : "/dashboard";
}

/** A browser asking for a page (or posting a form): it reads HTML, where a script reads JSON. */
export function acceptsHtml<E extends AppEnv>(c: Context<E>): boolean {
  return /text\/html/.test(c.req.header("accept") ?? "");
}

/**
 * Every dashboard page but the sign-in form needs a session. A browser asking for a page is
 * sent to the form (302); anything else (a script, a POST) gets a 401.
 */
export const requireSession = createMiddleware<AppEnv>(async (c, next) => {
  if (await hasSession(c)) {
    await next();
    return;
  }
  if (getCookie(c, sessionCookieName(new URL(c.req.url))) !== undefined) endSession(c);
  if ((c.req.method === "GET" || c.req.method === "HEAD") && acceptsHtml(c)) {
    const url = new URL(c.req.url);
    return c.redirect(`/dashboard/login?next=${encodeURIComponent(url.pathname + url.search)}`, 302);
  }
  // Answered here rather than thrown, so that the cookie-clearing header above is kept.
  return c.json({ error: "unauthorized", message: "sign in to the dashboard first: GET /dashboard/login" }, 401);
});
