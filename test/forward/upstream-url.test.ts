import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { webhookConfigOf } from "../../src/billing/webhooks/config";
import { forwardingState } from "../../src/forward/config";
import { WEBHOOK_SECRET } from "../helpers/webhooks";

/**
 * Both paths data leaves the collector by, the upstream PostHog and billing's webhook endpoint,
 * take their address through one rule (lib/outbound-url.ts): https anywhere, plain http only
 * to a loopback address. Each is held to it on random addresses, so neither can drift from it.
 */

const LOOPBACK = ["127.0.0.1", "localhost", "[::1]"];
const host = fc.oneof(
  fc.constantFrom(...LOOPBACK, "eu.i.posthog.com", "127.0.0.2", "10.0.0.1", "localhost.example", "[::2]"),
  fc.domain(),
);
const address = fc.record({
  scheme: fc.constantFrom("https", "http", "ftp", "ws"),
  host,
  port: fc.option(fc.integer({ min: 1, max: 65535 }), { nil: undefined }),
  path: fc.constantFrom("", "/", "/batch", "/hooks/in"),
});

function sent(kind: "forwarding" | "webhooks", url: string): boolean {
  if (kind === "forwarding") {
    return forwardingState({ POSTHOG_HOST: url, POSTHOG_API_KEY: "phc_x" } as Env).enabled;
  }
  try {
    return webhookConfigOf({ BILLING_WEBHOOK_URL: url, BILLING_WEBHOOK_SECRET: WEBHOOK_SECRET } as Env).url !== null;
  } catch {
    return false;
  }
}

describe("the addresses data is sent to", () => {
  for (const kind of ["forwarding", "webhooks"] as const) {
    it(`${kind}: https anywhere, http only to a loopback address, nothing else`, () => {
      fc.assert(
        fc.property(address, ({ scheme, host, port, path }) => {
          const url = `${scheme}://${host}${port === undefined ? "" : `:${port}`}${path}`;
          const allowed = scheme === "https" || (scheme === "http" && LOOPBACK.includes(host));
          expect(sent(kind, url), url).toBe(allowed);
        }),
        { seed: 20261207, numRuns: 150 },
      );
      expect(sent(kind, "not a url")).toBe(false);
    });
  }
});
