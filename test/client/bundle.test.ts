import { execFile } from "node:child_process";
import { fileURLToPath } from "node:url";
import { promisify } from "node:util";
import { describe, expect, it } from "vitest";

/** `npm run size`: createClient + anonymize as a web page would bundle them, within the 5 KB budget. */
describe("the browser bundle", () => {
  it("stays under 5 KB minified and gzipped, with no Node module in it", async () => {
    const root = fileURLToPath(new URL("../..", import.meta.url));
    // esbuild refuses node:* imports for the browser platform, so a Node API in the entry fails this too.
    const { stdout } = await promisify(execFile)(process.execPath, ["packages/client/scripts/size.mjs", "--json"], {
      cwd: root,
    });
    const figures = JSON.parse(stdout) as { minified: number; gzipped: number; budget: number };
    expect(figures.budget).toBe(5 * 1024);
    expect(figures.gzipped).toBeLessThanOrEqual(figures.budget);
    expect(figures.gzipped).toBeGreaterThan(1000); // it measured the SDK, not an empty module
  });
});
