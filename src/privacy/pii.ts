/**
 * Finds personal data in free text: email addresses and IPv4/IPv6 addresses, including the
 * usual disguises. The text is first normalised as a reader would see it: NFKC (full-width
 * `＠` and digits become ASCII), invisible characters removed (zero-width spaces and joiners,
 * soft hyphens, the byte-order mark). Then it looks for: emails, also written `name [at]
 * domain [dot] com` or `name at domain dot com`; IPv4 addresses, also with leading zeros
 * (`010.000.000.001`); IPv6 addresses, also glued to a word (`ip2001:db8::1`). Catalogue `text`
 * properties are short (a failed step, a job role), so a few regexes are cheap; the scan errs
 * on the side of refusing an event rather than storing an address.
 */
export type PiiKind = "email" | "ipv4" | "ipv6";

const INVISIBLE = /[\u00ad\u180e\u200b-\u200f\u202a-\u202e\u2060-\u2064\ufeff]/g;
const EMAIL = /[A-Za-z0-9.!#$%&'*+/=?^_`{|}~-]+@[A-Za-z0-9](?:[A-Za-z0-9-]*[A-Za-z0-9])?(?:\.[A-Za-z0-9-]+)+/;
// "name [at] domain [dot] com", "name(at)domain.com", "name at domain dot com".
const BRACKETED_AT = /[\w.+-]+\s*[[({<]\s*at\s*[\])}>]\s*[\w-]+(?:\s*(?:[[({<]\s*dot\s*[\])}>]|\.)\s*[\w-]+)+/i;
const SPELLED_AT = /\b[\w.+-]+\s+at\s+[\w-]+(?:\s+dot\s+[\w-]+)+\b/i;
const IPV4_CANDIDATE = /(?<![\d.])(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})(?![\d])/g;
const HEX_GROUP = /^[0-9A-Fa-f]{1,4}$/;
// Runs of hex digits and colons with at least two colons (optionally an IPv4 tail and a zone).
const IPV6_CANDIDATE = /[0-9A-Fa-f]*:[0-9A-Fa-f:]*:[0-9A-Fa-f.]*(?:%[0-9A-Za-z]+)?/g;

/** The text as a reader sees it: compatibility forms folded, invisible characters removed. */
export function normalizeText(text: string): string {
  return text.normalize("NFKC").replace(INVISIBLE, "");
}

export function findPii(raw: string): PiiKind | undefined {
  const text = normalizeText(raw);
  if ((text.includes("@") && EMAIL.test(text)) || BRACKETED_AT.test(text) || SPELLED_AT.test(text)) return "email";
  for (const match of text.matchAll(IPV4_CANDIDATE)) {
    if (match.slice(1, 5).every((octet) => Number(octet) <= 255)) return "ipv4";
  }
  if (text.includes(":")) {
    for (const match of text.matchAll(IPV6_CANDIDATE)) {
      const before = text[(match.index ?? 0) - 1];
      const glued = before !== undefined && /[0-9A-Za-z_:]/.test(before);
      if (ipv6Within(match[0].replace(/%.*$/, ""), glued)) return "ipv6";
    }
  }
  return undefined;
}

/**
 * True if the candidate, or (when it is glued to a word) what is left of it once letters of
 * that word are dropped from its front, is an IPv6 address. A glued candidate must also look
 * deliberate (three groups and six hex digits or more), so that `std::vector` stays text.
 */
function ipv6Within(candidate: string, glued: boolean): boolean {
  if (!glued) return isIpv6(candidate);
  const firstColon = candidate.indexOf(":");
  for (let start = 0; start <= firstColon; start++) {
    const rest = candidate.slice(start);
    const groups = rest.split(":").filter((group) => group !== "");
    const hexDigits = rest.replace(/[^0-9A-Fa-f]/g, "").length;
    if (groups.length >= 3 && hexDigits >= 6 && isIpv6(rest)) return true;
  }
  return false;
}

/** True for a full or `::`-compressed IPv6 address, with an optional embedded IPv4 tail. */
function isIpv6(candidate: string): boolean {
  let text = candidate;
  let ipv4Groups = 0;
  const lastColon = text.lastIndexOf(":");
  const tail = text.slice(lastColon + 1);
  if (tail.includes(".")) {
    const octets = tail.split(".");
    if (octets.length !== 4 || !octets.every((octet) => /^\d{1,3}$/.test(octet) && Number(octet) <= 255)) return false;
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
