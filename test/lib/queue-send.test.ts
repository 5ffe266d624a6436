import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { chunkBySize } from "../../src/lib/queue-send";

describe("chunkBySize", () => {
  it("keeps every item in order, each chunk within the budget unless one item alone exceeds it", () => {
    fc.assert(
      fc.property(fc.array(fc.nat(300)), fc.integer({ min: 1, max: 500 }), (sizes, max) => {
        const chunks = chunkBySize(sizes, (size) => size, max);
        expect(chunks.flat()).toEqual(sizes);
        for (const chunk of chunks) {
          expect(chunk.length).toBeGreaterThan(0);
          const total = chunk.reduce((a, b) => a + b, 0);
          if (chunk.length > 1) expect(total).toBeLessThanOrEqual(max);
        }
        // Greedy: no chunk could have taken the next one's first item.
        chunks.slice(1).forEach((chunk, i) => {
          const previous = (chunks[i] ?? []).reduce((a, b) => a + b, 0);
          expect(previous + (chunk[0] ?? 0)).toBeGreaterThan(max);
        });
      }),
      { seed: 9, numRuns: 200 },
    );
  });
});
