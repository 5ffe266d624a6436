/**
 * Finds personal data in free text: email addresses and IPv4/IPv6 addresses. Catalogue
 * `text` properties are short (a failed step, a job role), so a few regexes are cheap; the
 * scan errs on the side of refusing an event rather than storing an address.
 */
export type PiiKind = "email" | "ipv4" | "ipv6";

const EMAIL = /[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+/;
const OCTET = "(?:25[0-5]|2[0-4]\\d|1\\d\\d|[1-9]?\\d)";
const IPV4 = new RegExp(`(?<![\\d.])(?:${OCTET}\\.){3}${OCTET}(?![\\d])`);
const IPV4_EXACT = new RegExp(`^(?:${OCTET}\\.){3}${OCTET}$`);
const HEX_GROUP = /^[0-9A-Fa-f]{1,4}$/;
// Runs of hex digits and colons (at least two colons, optionally an IPv4 tail and a zone)
// that stand alone: not glued to other word characters, so "std::vector" is not a candidate.
const IPV6_CANDIDATE = /(?<![0-9A-Za-z_:])[0-9A-Fa-f]*:[0-9A-Fa-f:]*:[0-9A-Fa-f.]*(?:%[0-9A-Za-z]+)?(?![0-9A-Za-z_:])/g;

export function findPii(text: string): PiiKind | undefined {
  if (text.includes("@") && EMAIL.test(text)) return "email";
  if (IPV4.test(text)) return "ipv4";
  if (text.includes(":")) {
    for (const match of text.matchAll(IPV6_CANDIDATE)) {
      if (isIpv6(match[0].replace(/%.*$/, ""))) return "ipv6";
    }
  }
  return undefined;
}

/** True for a full or `::`-compressed IPv6 address, with an optional embedded IPv4 tail. */
function isIpv6(candidate: string): boolean {
  let text = candidate;
  let ipv4Groups = 0;
  const lastColon = text.lastIndexOf(":");
  const tail = text.slice(lastColon + 1);
  if (tail.includes(".")) {
    if (!IPV4_EXACT.test(tail)) return false;
    ipv4Groups = 2; // an embedded IPv4 address stands for the last two groups
    text = text.endsWith(`::${tail}`) ? text.slice(0, lastColon + 1) : text.slice(0, lastColon);
  }
  const halves = text.split("::");
  if (halves.length > 2) return false;
  const groups = halves.flatMap((half) => (half === "" ? [] : half.split(":")));
  if (!groups.every((group) => HEX_GROUP.test(group))) return false;
  const count = groups.length + ipv4Groups;
  return halves.length === 2 ? count <= 7 : count === 8;
}
