import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { HLL_RELATIVE_ERROR, Sketch } from "../../src/lib/hyperloglog";

/**
 * The sketches that replace per-install rows in history: merging is a union, the stored form
 * round-trips, and the estimates stay within the documented error (docs/SCALING.md).
 */

/** Deterministic install-like ids (UUID-shaped), so every run draws the same sets. */
function ids(count: number, seed: number): string[] {
  let state = seed >>> 0 || 1;
  const next = () => {
    state ^= state << 13;
    state ^= state >>> 17;
    state ^= state << 5;
    return (state >>> 0).toString(16).padStart(8, "0");
  };
  return Array.from(
    { length: count },
    () => `${next()}-${next().slice(0, 4)}-4${next().slice(0, 3)}-a${next()}${next()}`,
  );
}

function sketchOf(values: readonly string[]): Sketch {
  const sketch = new Sketch();
  for (const value of values) sketch.add(value);
  return sketch;
}

describe("HyperLogLog sketches", () => {
  // Few ids rarely share a register: the standard error is about n / √(2 × 4096) = n / 90.
  it("count small sets nearly exactly", () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 200 }), fc.integer({ min: 1, max: 2 ** 31 }), (n, seed) => {
        expect(Math.abs(sketchOf(ids(n, seed)).estimate() - n)).toBeLessThanOrEqual(2 + n / 18); // five standard errors;
      }),
      { seed: 20261201, numRuns: 60 },
    );
  });

  it("estimate large sets within three standard errors", () => {
    for (const [n, seed] of [
      [1_000, 1],
      [5_000, 2],
      [12_000, 3],
      [50_000, 4],
      [250_000, 5],
    ] as const) {
      const estimate = sketchOf(ids(n, seed)).estimate();
      expect(Math.abs(estimate - n) / n, `n = ${n}, estimate ${estimate}`).toBeLessThan(3 * HLL_RELATIVE_ERROR);
    }
  });

  it("have the documented standard error (1.6 %) over many sets", () => {
    const errors = Array.from({ length: 120 }, (_, trial) => {
      const n = 20_000;
      return (sketchOf(ids(n, 1000 + trial)).estimate() - n) / n;
    });
    const mean = errors.reduce((a, b) => a + b, 0) / errors.length;
    const deviation = Math.sqrt(errors.reduce((a, b) => a + (b - mean) ** 2, 0) / errors.length);
    expect(Math.abs(mean)).toBeLessThan(0.006); // unbiased
    expect(deviation).toBeGreaterThan(HLL_RELATIVE_ERROR * 0.7);
    expect(deviation).toBeLessThan(HLL_RELATIVE_ERROR * 1.3);
  });

  it("merge as a union: the merge of two sketches is the sketch of both sets", () => {
    fc.assert(
      fc.property(
        fc.integer({ min: 0, max: 3000 }),
        fc.integer({ min: 0, max: 3000 }),
        fc.integer({ min: 0, max: 1000 }),
        (a, b, shared) => {
          const common = ids(shared, 7);
          const left = [...ids(a, 11), ...common];
          const right = [...ids(b, 13), ...common];
          const merged = sketchOf(left).merge(sketchOf(right));
          expect(merged.registers).toEqual(sketchOf([...left, ...right]).registers);
          // Adding ids again changes nothing.
          expect(sketchOf([...left, ...left]).registers).toEqual(sketchOf(left).registers);
        },
      ),
      { seed: 20261202, numRuns: 25 },
    );
  });

  it("round-trip through the stored form, sparse while that is shorter", () => {
    for (const n of [0, 1, 40, 1000, 20_000]) {
      const sketch = sketchOf(ids(n, n + 1));
      const stored = sketch.encode();
      if (n <= 1000) expect(stored.length).toBeLessThan(3 * n + 2);
      else expect(stored.length).toBe(4097);
      expect(Sketch.decode(stored).registers).toEqual(sketch.registers);
    }
    expect(() => Sketch.decode(new Uint8Array([9, 1, 2]))).toThrow("not a sketch");
  });
});
