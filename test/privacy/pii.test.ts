import { describe, expect, it } from "vitest";
import { findPii } from "../../src/privacy/pii";

describe("findPii", () => {
  it.each([
    ["alice@example.com", "email"],
    ["contact: bob.smith+tag@mail.example.co.uk please", "email"],
    ["10.0.0.1", "ipv4"],
    ["failed to dial 192.168.1.20:3022", "ipv4"],
    ["2001:db8::1", "ipv6"],
    ["fe80::1%eth0", "ipv6"],
    ["listen on [::1]:3080", "ipv6"],
    ["2001:0db8:85a3:0000:0000:8a2e:0370:7334", "ipv6"],
    ["::ffff:10.1.2.3", "ipv4"],
  ])("finds personal data in %j", (text, kind) => {
    expect(findPii(text)).toBe(kind);
  });

  it.each([
    "Software Engineer",
    "download_agent",
    "version 16.4.7",
    "std::vector failed",
    "at 12:30:45 UTC",
    "999.1.1.1 is not an address",
    "a@b",
    "",
  ])("lets %j through", (text) => {
    expect(findPii(text)).toBeUndefined();
  });
});
