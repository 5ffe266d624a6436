import fc from "fast-check";
import { describe, expect, it } from "vitest";
import type { TestSpecification, Vitest } from "vitest/node";
import LongestFirstSequencer, { type FileRecord, longestFirst } from "../sequencer.mjs";

/**
 * The order in which vitest starts the files (test/sequencer.mjs): vitest's rules but for the one
 * that kept every workers file waiting until all the end-to-end files had started.
 */
const record = fc.record({
  groupOrder: fc.integer({ min: 0, max: 2 }),
  failed: fc.boolean(),
  duration: fc.option(fc.double({ min: 0, max: 120_000, noNaN: true }), { nil: undefined }),
  size: fc.nat({ max: 20_000 }),
});

/** The rank each rule gives a file, most significant first: the order must never decrease in it. */
const rank = (file: FileRecord) => [
  file.groupOrder,
  file.failed ? 0 : 1,
  file.duration === undefined ? 0 : 1,
  file.duration === undefined ? -file.size : -file.duration,
];

function notBefore(earlier: number[], later: number[]): boolean {
  for (let i = 0; i < earlier.length; i++) {
    if ((earlier[i] ?? 0) !== (later[i] ?? 0)) return (earlier[i] ?? 0) < (later[i] ?? 0);
  }
  return true;
}

/** A spec as vitest hands it to a sequencer, and the cache it reads (the last run's results and sizes). */
function sequencerFor(files: { project: string; path: string; duration?: number; failed?: boolean }[]) {
  const root = "/repo";
  const results = new Map(files.map((f) => [`${f.project}:${f.path}`, f]));
  const ctx = {
    config: { root },
    cache: {
      getFileTestResults: (key: string) => {
        const file = results.get(key);
        return file?.duration === undefined ? undefined : { duration: file.duration, failed: file.failed ?? false };
      },
      getFileStats: () => ({ size: 1000 }),
    },
  } as unknown as Vitest;
  const specs = files.map(
    (f) =>
      ({
        moduleId: `${root}/${f.path}`,
        project: { name: f.project, config: { sequence: { groupOrder: 0 } } },
      }) as unknown as TestSpecification,
  );
  return { sequencer: new LongestFirstSequencer(ctx), specs };
}

describe("the order the files start in", () => {
  it("keeps vitest's rules: by group, failed first, never timed next, then the longest (largest when never timed)", () => {
    fc.assert(
      fc.property(fc.array(record, { maxLength: 40 }), (files) => {
        const sorted = [...files].sort(longestFirst);
        for (let i = 1; i < sorted.length; i++) {
          expect(notBefore(rank(sorted[i - 1] as FileRecord), rank(sorted[i] as FileRecord))).toBe(true);
        }
      }),
      { seed: 20261207, numRuns: 300 },
    );
  });

  it("starts the longest first whatever their project: a long workers file before a short e2e file", async () => {
    const { sequencer, specs } = sequencerFor([
      { project: "e2e", path: "test/e2e/doctor.test.ts", duration: 5_000 },
      { project: "e2e", path: "test/e2e/posthog-forward.test.ts", duration: 57_000 },
      { project: "workers", path: "test/lib/time.test.ts", duration: 200 },
      { project: "workers", path: "test/admin/operator-routes.test.ts", duration: 31_000 },
      { project: "workers", path: "test/new.test.ts" },
      { project: "e2e", path: "test/e2e/collector.test.ts", duration: 6_000, failed: true },
    ]);
    const order = (await sequencer.sort(specs)).map((spec) => spec.moduleId.replace("/repo/", ""));
    expect(order).toEqual([
      "test/e2e/collector.test.ts",
      "test/new.test.ts",
      "test/e2e/posthog-forward.test.ts",
      "test/admin/operator-routes.test.ts",
      "test/e2e/doctor.test.ts",
      "test/lib/time.test.ts",
    ]);
  });
});
