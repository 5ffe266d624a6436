import { z as honoZ } from "@hono/zod-openapi";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import * as upstream from "zod/v4";
import * as seam from "../../src/lib/zod";

/**
 * "zod" is the collector's zod (src/lib/zod.ts) wherever it is imported — our code and
 * @hono/zod-openapi alike — as in the deployed bundle (wrangler.toml [alias]; the bundle's
 * check, scripts/bundle-size.mjs, finds no locale in it): so the tests run the very members the
 * Worker ships. Each member is zod's own object, and the locales are not among them.
 */
describe("the collector's zod", () => {
  it('is what "zod" resolves to, for our code and for @hono/zod-openapi', () => {
    expect(z).toBe(seam.z);
    expect(honoZ).toBe(seam.z);
  });

  it("holds zod's own members, and not its locales", () => {
    const ours: Record<string, unknown> = z;
    const zods: Record<string, unknown> = upstream;
    const members = Object.keys(ours).filter((name) => name !== "core");
    expect(members.length).toBeGreaterThan(10);
    for (const name of members) expect(ours[name], name).toBe(zods[name]);
    expect(z.core.regexes).toBe(upstream.core.regexes);
    expect(Object.keys(z)).not.toContain("locales");
    expect(Object.keys(z.core)).not.toContain("locales");
  });
});
