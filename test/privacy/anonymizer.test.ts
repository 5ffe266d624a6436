import { describe, expect, it } from "vitest";
import { Anonymizer } from "../../packages/client/src/shared/anonymizer";
import { isDigest } from "../../src/privacy/digest";

describe("Anonymizer (byte-compatible with Teleport's Go anonymizer)", () => {
  it("matches the reference vectors", async () => {
    const anonymizer = await Anonymizer.create("e8b1f7c0-cluster-id");
    expect(await anonymizer.anonymize("alice@example.com")).toBe("XfVDznFNiXky/rgF7PgNw9CfHfgEcgW/D+xYfHxHjMM=");
    expect(await anonymizer.anonymize("10.0.0.1")).toBe("suEFJ9YjB04MJHO27z/KSiPr3P4rKWcmoTyZ6ehoqDs=");
    expect(await anonymizer.anonymize("")).toBe("5LOz+9plhGhJjZk3WF3uRB1JAzs8I5E4v7+Pn249Z6U=");
  });

  it("refuses a blank key", async () => {
    await expect(Anonymizer.create("  ")).rejects.toThrow(/must not be empty/);
  });
});

describe("isDigest", () => {
  it("accepts what the anonymizer produces", async () => {
    const anonymizer = await Anonymizer.create("k");
    for (const input of ["a", "bob", "host-1.internal", ""]) {
      expect(isDigest(await anonymizer.anonymize(input))).toBe(true);
    }
  });

  it.each([
    ["an email", "alice@example.com"],
    ["an IP address", "10.0.0.1"],
    ["a host name", "db-prod-1.internal.example.com"],
    ["base64url instead of standard", "XfVDznFNiXky_rgF7PgNw9CfHfgEcgW_D-xYfHxHjMM="],
    ["unpadded", "XfVDznFNiXky/rgF7PgNw9CfHfgEcgW/D+xYfHxHjMM"],
    ["a 31-byte value", btoa("x".repeat(31))],
    ["a 33-byte value", btoa("x".repeat(33))],
    ["non-canonical final bits", "XfVDznFNiXky/rgF7PgNw9CfHfgEcgW/D+xYfHxHjMN="],
    ["hex of the MAC", "5df543ce714d897932feb805ecf80dc3d09f1df8047205bf0fec587c7c478cc3"],
  ])("refuses %s", (_, value) => {
    expect(isDigest(value)).toBe(false);
  });

  it("refuses non-strings", () => {
    expect(isDigest(42)).toBe(false);
    expect(isDigest(null)).toBe(false);
  });
});
