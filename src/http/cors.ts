import { cors } from "hono/cors";

/**
 * The CORS of the public JSON routes (events, forget, the catalogue): any origin, no cookies
 * involved. Each public feature mounts it on its own routes. A POST route allows its preflight,
 * cached for a day; the catalogue is a plain GET.
 */
export function publicCors(method: "GET" | "POST") {
  return method === "POST"
    ? cors({ origin: "*", allowMethods: ["POST", "OPTIONS"], maxAge: 86_400 })
    : cors({ origin: "*", allowMethods: ["GET"] });
}
