import fc from "fast-check";

/**
 * Identifiers as a careless or hostile client would send them where the collector stores a
 * string: emails, IPv4 and IPv6 addresses in their textual forms, MAC addresses, host names
 * (cloud ones too), phone, card and social-security numbers, URLs carrying tokens, JWTs; each
 * in a disguise (full-width, spaced, bracketed, spelled, percent- or entity-encoded, ideographic
 * separators, zero-width characters, upper case) and an embedding (as it is, after or before
 * text, inside a version's pre-release or build, split across a version's numbers). The
 * converse, values real clients send, is in legitimate-values.ts.
 */

export interface Identifier {
  kind: string;
  /** The identifier in its plain form: what must never be found in storage. */
  plain: string;
}

const digitString = (min: number, max: number) =>
  fc.string({ unit: fc.constantFrom(..."0123456789"), minLength: min, maxLength: max });
const hexByte = fc.integer({ min: 0, max: 255 }).map((n) => n.toString(16).padStart(2, "0"));
const octet = fc.integer({ min: 0, max: 255 });
const label = fc.string({ unit: fc.constantFrom(..."abcdefghijklmnopqrstuvwxyz"), minLength: 2, maxLength: 10 });
const base64url = (min: number, max: number) =>
  fc.string({
    unit: fc.constantFrom(..."ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_"),
    minLength: min,
    maxLength: max,
  });

/** A card number with a valid Luhn check digit. */
function luhn(body: string): string {
  let sum = 0;
  for (let i = 0; i < body.length; i++) {
    let d = Number(body[body.length - 1 - i]);
    if (i % 2 === 0) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return `${body}${(10 - (sum % 10)) % 10}`;
}

const email = fc.oneof(
  fc.emailAddress(),
  fc.tuple(label, label, fc.constantFrom("com", "io", "co.uk", "de")).map(([u, d, t]) => `${u}@${d}.${t}`),
);
const ipv4 = fc.oneof(
  fc.tuple(octet, octet, octet, octet).map((o) => o.join(".")),
  fc.tuple(octet, octet, octet, octet).map((o) => o.map((n) => String(n).padStart(3, "0")).join(".")),
  // Shorthands of one to three decimal numbers (`127.1`, `8`) are versions too: left out (a documented limit).
  fc
    .ipV4Extended()
    .filter((address) => !/^\d+(?:\.\d+){0,2}$/.test(address)),
  fc.constantFrom("10.0.0.1", "192.168.1.20", "172.31.5.9", "127.0.0.1", "169.254.169.254"),
);
const ipv6 = fc.oneof(
  fc.ipV6(),
  fc.constantFrom(
    "2001:db8::1",
    "fe80::1ff:fe23:4567:890a",
    "fe80::1%eth0",
    "[::1]:3080",
    "::ffff:10.1.2.3",
    "2001:0db8:85a3:0000:0000:8a2e:0370:7334",
  ),
);
const mac = fc
  .tuple(fc.array(hexByte, { minLength: 6, maxLength: 6 }), fc.constantFrom(":", "-", "."))
  .map(([bytes, sep]) =>
    sep === "." ? [0, 2, 4].map((i) => `${bytes[i]}${bytes[i + 1]}`).join(".") : bytes.join(sep),
  );
const host = fc.oneof(
  fc.domain(),
  fc.tuple(octet, octet, octet, octet).map((o) => `ip-${o.join("-")}.ec2.internal`),
  fc
    .tuple(octet, octet, fc.constantFrom("us-west-2", "eu-central-1"))
    .map(([a, b, region]) => `ip-172-31-${a}-${b}.${region}.compute.internal`),
  fc.tuple(label, fc.integer({ min: 1, max: 99 })).map(([name, n]) => `${name}-laptop-${n}.local`),
  fc.constantFrom("db-prod-1.corp.example.com", "alice-macbook.local", "teleport.example.com"),
);
const phone = fc.oneof(
  digitString(10, 15),
  fc
    .tuple(digitString(3, 3), digitString(3, 3), digitString(4, 4))
    .chain(([a, b, c]) =>
      fc.constantFrom(`${a}-${b}-${c}`, `(${a}) ${b}-${c}`, `+1 ${a} ${b} ${c}`, `${a}.${b}.${c}`, `+1${a}${b}${c}`),
    ),
);
const card = fc
  .tuple(digitString(12, 18), fc.constantFrom("", " ", "-"))
  .map(([body, sep]) => luhn(body).replace(/(\d{4})(?=\d)/g, `$1${sep}`));
const ssn = fc
  .tuple(digitString(3, 3), digitString(2, 2), digitString(4, 4), fc.constantFrom("-", "", " ", "."))
  .map(([a, b, c, sep]) => `${a}${sep}${b}${sep}${c}`);
const url = fc
  .tuple(fc.webUrl(), base64url(16, 40))
  .chain(([base, token]) =>
    fc.constantFrom(`${base}?token=${token}`, `${base}#access_token=${token}`, `https://hooks.example.com/${token}`),
  );
const jwt = fc
  .tuple(base64url(10, 40), base64url(10, 60), base64url(20, 43))
  .map(([payload, claims, signature]) => `eyJhbGciOiJIUzI1NiJ9${payload}.eyJ${claims}.${signature}`);

export const identifier: fc.Arbitrary<Identifier> = fc.oneof(
  email.map((plain) => ({ kind: "email", plain })),
  ipv4.map((plain) => ({ kind: "ipv4", plain })),
  ipv6.map((plain) => ({ kind: "ipv6", plain })),
  mac.map((plain) => ({ kind: "mac", plain })),
  host.map((plain) => ({ kind: "host", plain })),
  phone.map((plain) => ({ kind: "phone", plain })),
  card.map((plain) => ({ kind: "card", plain })),
  ssn.map((plain) => ({ kind: "ssn", plain })),
  url.map((plain) => ({ kind: "url", plain })),
  jwt.map((plain) => ({ kind: "jwt", plain })),
);

const fullWidth = (s: string) => s.replace(/[!-~]/g, (c) => String.fromCharCode(c.charCodeAt(0) + 0xfee0));
const ZERO_WIDTH = ["\u200b", "\u200c", "\u200d", "\u2060", "\ufeff", "\u00ad"];

/** Ways of writing an identifier that a deny-list misses. */
export const disguise: fc.Arbitrary<[string, (s: string) => string]> = fc.constantFrom<[string, (s: string) => string]>(
  ["as is", (s) => s],
  ["upper case", (s) => s.toUpperCase()],
  ["full-width", fullWidth],
  ["spaced", (s) => [...s].join(" ")],
  ["spaced separators", (s) => s.replace(/[@.:/-]/g, (c) => ` ${c} `)],
  ["bracketed", (s) => s.replace(/@/g, " [at] ").replace(/\./g, " [dot] ").replace(/:/g, "[:]")],
  ["parenthesised", (s) => s.replace(/@/g, "(at)").replace(/\./g, "(dot)")],
  ["spelled", (s) => s.replace(/@/g, " at ").replace(/\./g, " dot ").replace(/:/g, " colon ").replace(/-/g, " dash ")],
  ["percent-encoded", (s) => encodeURIComponent(s).replace(/\./g, "%2E").replace(/-/g, "%2D")],
  ["entity-encoded", (s) => s.replace(/@/g, "&#64;").replace(/\./g, "&#46;")],
  ["ideographic", (s) => s.replace(/\./g, "\u3002").replace(/@/g, "\uff20").replace(/:/g, "\uff1a")],
  ["half-width ideographic", (s) => s.replace(/\./g, "\uff61").replace(/-/g, "\u30fc")],
  ["zero-width", (s) => [...s].map((c, i) => `${c}${ZERO_WIDTH[i % ZERO_WIDTH.length]}`).join("")],
  ["no separators", (s) => s.replace(/[^0-9A-Za-z]/g, "")],
  ["separators as underscores", (s) => s.replace(/[^0-9A-Za-z]/g, "_")],
  ["separators as dashes", (s) => s.replace(/[^0-9A-Za-z]/g, "-")],
);

/**
 * The digits of a numeric identifier (9 or more: a phone, card or SSN) spread over a version's
 * numbers and its pre-release number; an address's last separator made a `-` (`10.0.0-1`).
 */
function splitAcrossVersion(s: string): string {
  const digits = s.replace(/\D/g, "").replace(/^0+/, "");
  if (digits.length < 9) return s.replace(/[.:](?=[^.:]*$)/, "-");
  // Chunks of about four digits, none starting with 0 (the grammar has no leading zeros): every digit is kept.
  const chunks: string[] = [];
  for (const digit of digits) {
    const last = chunks.length - 1;
    if (last >= 0 && ((chunks[last] as string).length < 4 || digit === "0")) chunks[last] += digit;
    else chunks.push(digit);
  }
  const rest = chunks.slice(3).join("");
  return `${chunks.slice(0, 3).join(".")}${rest === "" ? "" : `-rc.${rest}`}`;
}

/** Where an identifier sits in the value sent. */
export const embedding: fc.Arbitrary<[string, (s: string) => string]> = fc.constantFrom<
  [string, (s: string) => string]
>(
  ["alone", (s) => s],
  ["after text", (s) => `failed on ${s}`],
  ["before text", (s) => `${s} please`],
  ["pre-release", (s) => `17.0.1-${s}`],
  ["pre-release after a word", (s) => `17.0.0-rc.${s}`],
  ["kernel suffix", (s) => `6.5.0-14-${s}`],
  ["build metadata", (s) => `17.0.1+${s}`],
  ["split across a version", splitAcrossVersion],
);

/** An identifier, disguised and embedded, with the names of what was done to it. */
export const disguisedIdentifier = fc
  .tuple(identifier, disguise, embedding)
  .map(([id, [disguiseName, disguised], [embeddingName, embedded]]) => ({
    ...id,
    how: `${id.kind}, ${disguiseName}, ${embeddingName}`,
    sent: embedded(disguised(id.plain)),
  }));

/**
 * What an identifier reads as once disguises are undone: NFKC, invisible characters, spelled and
 * bracketed separators, percent and entity encoding. Storage is searched for this and the plain form.
 */
export function readable(s: string): string {
  let text = s.normalize("NFKC").replace(/[\u00ad\u200b-\u200f\u2060\ufeff]/g, "");
  try {
    text = decodeURIComponent(text);
  } catch {}
  return text
    .replace(/&#(\d+);/g, (_, code: string) => String.fromCharCode(Number(code)))
    .replace(/\s*[[(]\s*(at|dot|:)\s*[\])]\s*/gi, (_, w: string) => (w === "at" ? "@" : w === "dot" ? "." : ":"))
    .replace(
      /\s+(at|dot|colon|dash)\s+/gi,
      (_, w: string) => ({ at: "@", dot: ".", colon: ":", dash: "-" })[w.toLowerCase()] ?? "",
    )
    .replace(/\u3002|\uff61/g, ".")
    .replace(/\u30fc/g, "-")
    .replace(/ /g, "");
}
