import { z } from "zod";
import { outboundUrl } from "../lib/outbound-url";
import { varsReader } from "../lib/vars";

/**
 * Forwarding to an upstream PostHog is off unless both are set (docs/POSTHOG.md):
 * - `POSTHOG_HOST` (wrangler.toml var): the upstream, e.g. `https://eu.i.posthog.com`; https,
 *   or http to a loopback address (a local test server);
 * - `POSTHOG_API_KEY` (secret): one project API key (`phc_…`) that every app is forwarded to,
 *   or a JSON object `{ "<app>": "<project API key>" }` that forwards the apps it names, each to
 *   its own project.
 * A malformed value is a deployment error: the forward consumer fails (and retries) loudly;
 * ingestion is never refused because of it.
 */
export interface Forwarding {
  /** The upstream's base URL, without a trailing slash; events are posted to `<url>/batch/`. */
  url: string;
  /** The project API key an app's events are forwarded with, or undefined: that app is not forwarded. */
  keyFor(app: string): string | undefined;
}

const hostSchema = z
  .string()
  .default("")
  .transform((value) => value.trim())
  .transform((value, ctx) => {
    if (value === "") return undefined;
    const checked = outboundUrl(value);
    if (!checked.ok) {
      ctx.addIssue({
        code: "custom",
        message:
          checked.reason === "not_a_url"
            ? "POSTHOG_HOST must be a URL such as https://eu.i.posthog.com"
            : "POSTHOG_HOST must use https (http only to a loopback address)",
      });
      return z.NEVER;
    }
    const { url } = checked;
    return `${url.origin}${url.pathname}`.replace(/\/+$/, "");
  });

/** A project API key: public in PostHog's sense, but a personal API key (`phx_`) is a secret with account access. */
const projectKey = z
  .string()
  .trim()
  .min(1)
  .max(256)
  .refine((key) => !key.startsWith("phx_"), "a personal API key (phx_…) must never be used to forward events");

const keysSchema = z
  .string()
  .default("")
  .transform((value) => value.trim())
  .transform((value, ctx): ((app: string) => string | undefined) | undefined => {
    if (value === "") return undefined;
    if (!value.startsWith("{")) {
      const key = projectKey.safeParse(value);
      if (!key.success) {
        ctx.addIssue({ code: "custom", message: `POSTHOG_API_KEY: ${key.error.issues[0]?.message}` });
        return z.NEVER;
      }
      return () => key.data;
    }
    let json: unknown;
    try {
      json = JSON.parse(value);
    } catch {
      json = undefined;
    }
    const perApp = z.record(z.string(), projectKey).safeParse(json);
    if (!perApp.success) {
      ctx.addIssue({ code: "custom", message: 'POSTHOG_API_KEY must be a key or {"<app>": "<key>", …}' });
      return z.NEVER;
    }
    const keys = new Map(Object.entries(perApp.data));
    return (app) => keys.get(app);
  });

/** The forwarding configuration, or null when forwarding is off. */
export const forwardingOf = varsReader(
  "forwarding",
  z
    .object({ POSTHOG_HOST: hostSchema, POSTHOG_API_KEY: keysSchema })
    .transform(({ POSTHOG_HOST: url, POSTHOG_API_KEY: keyFor }): Forwarding | null =>
      url && keyFor ? { url, keyFor } : null,
    ),
);

/** Whether forwarding is on, and to where, for the operator's health page (never the key). */
export function forwardingState(env: Env): { enabled: boolean; upstream?: string; misconfigured?: string } {
  try {
    const forwarding = forwardingOf(env);
    return forwarding ? { enabled: true, upstream: forwarding.url } : { enabled: false };
  } catch (err) {
    return { enabled: false, misconfigured: err instanceof Error ? err.message : String(err) };
  }
}
