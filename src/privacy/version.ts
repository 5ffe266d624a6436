/**
 * Version properties (`app_version`, `os_version`, `teleport_version`) become aggregate keys,
 * archive lines and forwarded values, so they must be versions and nothing else. The grammar is
 * an allow-list in which no identifier can be written:
 *
 *   version  = ["v"] number ["." number ["." number]] ["-" word [["."] number]]
 *   number   = "0" | a digit 1-9 followed by at most four digits
 *   word     = one of WORDS below (pre-release words and Linux kernel flavours), lower case
 *
 * and the numbers of a version hold at most 8 digits in all. So: no letters but a word of the
 * vocabulary (no host name, no user name, no token); no `@`, `:`, `/`, `+`, `_` (no email, no
 * IPv6, no MAC, no URL); at most three numbers before the word and a word before a fourth (no
 * dotted IPv4, `192.168.1.20` or `10.0.0-1`); 8 digits in all, however they are split between
 * the core and the pre-release (no phone number, which has 10 or more, no social-security number,
 * 9, no card number, 13 to 19). Real versions fit: Teleport's `17.0.1`, `17.0.0-alpha.1`,
 * `-beta.2`, `-rc.1`, `-dev`; Node's `v20.11.1`; Electron's releases; darwin's `23.1.0`;
 * Windows' `10.0.22631`.
 *
 * Linux kernels (`os.release()`: `6.5.0-14-generic`, `5.14.0-362.8.1.el9_3.x86_64`) do not
 * fit, and no grammar that admits their suffixes keeps host names out. A property the catalogue
 * declares with `reduce: "kernel"` stores such a value reduced (`reducedKernelVersion`): its
 * numeric core and, when the suffix names one, a flavour of the vocabulary (`6.5.0-generic`,
 * `5.14.0-el`), which is itself a version of the grammar. Other version properties refuse it.
 */
export const MAX_VERSION_LENGTH = 40;
/** All the digits the numbers of a version may hold: fewer than any phone, SSN or card number. */
export const MAX_VERSION_DIGITS = 8;

/** Words of pre-releases, as projects name them. */
export const PRE_RELEASE_WORDS = ["alpha", "beta", "rc", "dev", "pre", "preview", "nightly", "canary", "next"];

/**
 * Linux kernel flavours, by the suffix token that names them (a token's trailing digits are
 * ignored when the token itself is not listed: `fc39` → `fc`, `el9` → `el`, `WSL2` → `wsl`).
 */
const FLAVOUR_OF: ReadonlyMap<string, string> = new Map(
  Object.entries({
    generic: "generic",
    lowlatency: "lowlatency",
    azure: "azure",
    aws: "aws",
    gcp: "gcp",
    gke: "gke",
    oracle: "oracle",
    kvm: "kvm",
    raspi: "raspi",
    cloud: "cloud",
    amd64: "amd64",
    arm64: "arm64",
    arch: "arch",
    lts: "lts",
    zen: "zen",
    hardened: "hardened",
    rt: "rt",
    fc: "fc",
    el: "el",
    amzn: "amzn",
    microsoft: "wsl",
    wsl: "wsl",
  }),
);
export const KERNEL_FLAVOURS = [...new Set(FLAVOUR_OF.values())];

const WORDS = [...PRE_RELEASE_WORDS, ...KERNEL_FLAVOURS].sort((a, b) => b.length - a.length);
const NUMBER = "(?:0|[1-9]\\d{0,4})";
const CORE = `${NUMBER}(?:\\.${NUMBER}){0,2}`;
const VERSION = new RegExp(`^v?(${CORE})(?:-(?:${WORDS.join("|")})(?:\\.?(${NUMBER}))?)?$`);
const DIGITS = /\d/g;

export function isVersion(value: string): boolean {
  if (value.length > MAX_VERSION_LENGTH) return false;
  const match = VERSION.exec(value);
  if (!match) return false;
  const digits = `${match[1] ?? ""}${match[2] ?? ""}`.match(DIGITS)?.length ?? 0;
  return digits <= MAX_VERSION_DIGITS;
}

/**
 * A numeric core (no number cut short: the lookahead refuses a digit after it), then a suffix
 * that starts with `-` or `+` (`-14-generic`, `+rpt-rpi-v8`) or with a fourth number and `-`
 * (WSL's `.1-microsoft-standard-WSL2`), and has a letter.
 */
const KERNEL = new RegExp(`^(v?${CORE})(?!\\d)((?:[-+]|\\.\\d{1,5}-)[^]*[A-Za-z][^]*)$`);
const SUFFIX_SEPARATORS = /[-.+_~]/;

/**
 * A Linux kernel release as a version of the grammar: the value itself when it is one; else its
 * numeric core (at most three numbers, within the digit bound) followed by the first flavour its
 * suffix names, or the core alone. Undefined when the value does not start with such a core
 * followed by a kernel-like suffix (a bare address `10.1.2.3` or `10.1.2.3 x` is refused, not cut).
 */
export function reducedKernelVersion(value: string): string | undefined {
  if (isVersion(value)) return value;
  if (value.length > MAX_VERSION_LENGTH * 2) return undefined;
  const match = KERNEL.exec(value);
  const core = match?.[1];
  if (core === undefined || !isVersion(core)) return undefined;
  const flavour = flavourOf(match?.[2] ?? "");
  const reduced = flavour ? `${core}-${flavour}` : core;
  return isVersion(reduced) ? reduced : core;
}

function flavourOf(suffix: string): string | undefined {
  for (const token of suffix.toLowerCase().split(SUFFIX_SEPARATORS)) {
    const flavour = FLAVOUR_OF.get(token) ?? FLAVOUR_OF.get(token.replace(/\d+$/, ""));
    if (flavour !== undefined) return flavour;
  }
  return undefined;
}
