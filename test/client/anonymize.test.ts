import { createHmac } from "node:crypto";
import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { anonymize, createAnonymizer } from "../../packages/client/src/anonymize";

/** Teleport's Go anonymizer, as its source reads: HMAC-SHA256 over UTF-8 bytes, standard base64. */
const goAnonymizer = (key: string, value: string) => createHmac("sha256", key).update(value, "utf8").digest("base64");

describe("anonymize / createAnonymizer (byte-compatible with Teleport's Go anonymizer)", () => {
  it("gives the reference vectors of the design", async () => {
    const key = "e8b1f7c0-cluster-id";
    expect(await anonymize(key, "alice@example.com")).toBe("XfVDznFNiXky/rgF7PgNw9CfHfgEcgW/D+xYfHxHjMM=");
    expect(await anonymize(key, "10.0.0.1")).toBe("suEFJ9YjB04MJHO27z/KSiPr3P4rKWcmoTyZ6ehoqDs=");
    const anon = createAnonymizer(key);
    expect(await anon.anonymize("")).toBe("5LOz+9plhGhJjZk3WF3uRB1JAzs8I5E4v7+Pn249Z6U=");
  });

  it("equals HMAC-SHA256 over the UTF-8 bytes for any key and value, astral characters included", async () => {
    await fc.assert(
      fc.asyncProperty(
        fc.string({ unit: "grapheme", minLength: 1 }).filter((k) => k.trim() !== ""),
        fc.string({ unit: "grapheme" }),
        async (key, value) => {
          expect(await anonymize(key, value)).toBe(goAnonymizer(key, value));
        },
      ),
      { seed: 14, numRuns: 200 },
    );
  });

  it("refuses a blank key, as the Go anonymizer does", async () => {
    await expect(anonymize(" \t", "alice")).rejects.toThrow(/must not be empty/);
    await expect(createAnonymizer("").anonymize("alice")).rejects.toThrow(/must not be empty/);
  });
});
