import { describe, expect, it } from "vitest";
import { runNode } from "../e2e/run-node";

/**
 * `npm run size:worker`: the Worker as a deploy uploads it (its build: scripts/build-worker.mjs,
 * split into modules) within both budgets: what a cold start loads (the main module and what it
 * imports statically) and the whole upload; a cold start loads none of what is loaded on first
 * use (the prehog door's protobuf and Connect, the dashboard, Parquet), and no module carries
 * zod's locales. A size is not a timing: it is the same on any machine, so it is asserted.
 */

interface Figures {
  coldStart: { bytes: number; gzipped: number; budget: number; modules: string[]; unlisted: string[] };
  upload: { bytes: number; gzipped: number; budget: number; modules: number };
  wrangler: string;
  locales: string[];
  modules: {
    name: string;
    coldStart: boolean;
    entry?: string;
    imports: string[];
    lazyImports: string[];
    shares: Record<string, number>;
    inputs: string[];
  }[];
}

describe("the Worker's modules", () => {
  it("load within 150 KiB gzipped on a cold start, the rest on first use; the upload within its budget", async () => {
    const { code, stdout, stderr } = await runNode("scripts/bundle-size.mjs", ["--json"]);
    expect(stderr).toBe("");
    const figures = JSON.parse(stdout) as Figures;
    expect(figures.coldStart.budget).toBe(150 * 1024);
    expect(figures.coldStart.gzipped).toBeLessThanOrEqual(figures.coldStart.budget);
    expect(figures.coldStart.unlisted).toEqual([]);
    expect(figures.upload.budget).toBe(272 * 1024);
    expect(figures.upload.gzipped).toBeLessThanOrEqual(figures.upload.budget);
    expect(figures.locales).toEqual([]);
    // It measured the split Worker: a main module, modules loaded on first use, and the heavy
    // sources in those only.
    expect(figures.coldStart.modules).toContain("index.js");
    expect(figures.coldStart.gzipped).toBeGreaterThan(50 * 1024);
    const cold = figures.modules.filter((m) => m.coldStart);
    const lazy = figures.modules.filter((m) => !m.coldStart);
    expect(lazy.length).toBeGreaterThan(5);
    const sourcesOf = (modules: Figures["modules"]) => new Set(modules.flatMap((m) => Object.keys(m.shares)));
    for (const heavy of [
      "@bufbuild/protobuf",
      "@connectrpc/connect",
      "src/prehog",
      "src/dashboard",
      "hyparquet",
      "hyparquet-writer",
    ]) {
      expect(sourcesOf(cold), heavy).not.toContain(heavy);
      expect(sourcesOf(lazy), heavy).toContain(heavy);
    }
    // The events consumer, which only writes Parquet, loads the writer and none of the reader;
    // the archive's reads load the reader.
    const byName = new Map(figures.modules.map((m) => [m.name, m]));
    const loadedWith = (entry: string) => {
      const start = figures.modules.find((m) => m.entry === entry);
      expect(start, entry).toBeDefined();
      const loaded = new Set<string>();
      const visit = (name: string) => {
        if (loaded.has(name)) return;
        loaded.add(name);
        for (const next of byName.get(name)?.imports ?? []) visit(next);
      };
      visit(start?.name ?? "");
      return new Set([...loaded].flatMap((name) => byName.get(name)?.inputs ?? []));
    };
    const consumer = loadedWith("src/aggregate/consumer.ts");
    expect(consumer).toContain("node_modules/hyparquet-writer/src/write.js");
    expect(consumer).not.toContain("node_modules/hyparquet/src/read.js");
    expect(loadedWith("src/archive/parquet-read.ts")).toContain("node_modules/hyparquet/src/read.js");
    // The upload's figure is wrangler's own: what `wrangler deploy` prints as the upload's gzip.
    expect(figures.wrangler).toContain(`gzip: ${(figures.upload.gzipped / 1024).toFixed(2)} KiB`);
    expect(code).toBe(0);
  }, 180_000);
});
