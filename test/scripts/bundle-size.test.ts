import { describe, expect, it } from "vitest";
import { runNode } from "../e2e/run-node";

/**
 * `npm run size:worker`: the Worker as a deploy uploads it (wrangler.toml: minified, zod through
 * src/lib/zod.ts) stays within its gzipped budget and carries none of zod's locales. A size is
 * not a timing: it is the same on any machine, so it is asserted.
 */
describe("the Worker's bundle", () => {
  it("stays within 264 KiB gzipped, without zod's locales", async () => {
    const { code, stdout, stderr } = await runNode("scripts/bundle-size.mjs", ["--json"]);
    expect(stderr).toBe("");
    const figures = JSON.parse(stdout) as { gzipped: number; budget: number; locales: string[]; wrangler: string };
    expect(figures.budget).toBe(264 * 1024);
    expect(figures.locales).toEqual([]);
    expect(figures.gzipped).toBeLessThanOrEqual(figures.budget);
    expect(figures.gzipped).toBeGreaterThan(50 * 1024); // it measured the Worker, not an empty module
    // The figure is wrangler's own: what `wrangler deploy` prints as the upload's gzip.
    expect(figures.wrangler).toContain(`gzip: ${(figures.gzipped / 1024).toFixed(2)} KiB`);
    expect(code).toBe(0);
  }, 120_000);
});
