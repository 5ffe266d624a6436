import { describe, expect, it } from "vitest";
import { catalogue } from "../../src/catalog/definition";
import { featuresOf, MAX_FEATURE_BITS } from "../../src/catalog/feature-bits";

/**
 * Install-day rows store feature bits by number (catalog/feature-bits.ts): a catalogue change
 * that moved an existing bit would make every stored row mean something else. This pins the
 * numbering; a new event or value is added at the end of its list and appears here as new bits.
 */
describe("feature bits", () => {
  it("keep their numbers", () => {
    const layout = (app: string) =>
      featuresOf(app)?.features.map((f) => [f.bit, [f.event, f.property, f.value].filter(Boolean).join(" ")]);
    expect(Object.fromEntries(Object.keys(catalogue.apps).map((app) => [app, layout(app)]))).toMatchSnapshot();
  });

  it("fit the integer a D1 row gives JavaScript exactly, and name only the catalogue's strings", () => {
    for (const app of Object.keys(catalogue.apps)) {
      const features = featuresOf(app)?.features ?? [];
      expect(features.length).toBeLessThanOrEqual(MAX_FEATURE_BITS);
      expect(2 ** (MAX_FEATURE_BITS - 1)).toBeLessThanOrEqual(Number.MAX_SAFE_INTEGER);
      for (const f of features) {
        if (f.event) expect(catalogue.events[f.event]?.apps).toContain(app);
      }
    }
  });
});
