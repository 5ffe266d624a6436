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
    // Disguises: full-width characters, invisible characters, leading zeros, glued, spelled out.
    ["alice＠example．com", "email"],
    ["ali\u200bce@exam\u200dple.com", "email"],
    ["alice [at] example [dot] com", "email"],
    ["alice(at)example.com", "email"],
    ["alice at example dot com", "email"],
    ["010.000.000.001", "ipv4"],
    ["１０.０.０.１", "ipv4"],
    ["10.0.0.\u200b1", "ipv4"],
    ["ip2001:db8:85a3::8a2e:370:7334", "ipv6"],
    ["host-fe80::1ff:fe23:4567:890a", "ipv6"],
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
    "Software Engineer at Acme",
    "std::map<int, int>",
    "",
  ])("lets %j through", (text) => {
    expect(findPii(text)).toBeUndefined();
  });
});
