/**
 * Version properties (`app_version`, `os_version`) become aggregate dimensions, so they must be
 * versions and nothing else: never a host name or an address slipped in as build metadata.
 * The grammar: an optional `v`; one to three numeric parts without leading zeros (a fourth
 * only when a pre-release suffix with a letter follows, as in WSL's
 * `5.15.153.1-microsoft-standard-WSL2`, so a bare IPv4 address is never a version); an
 * optional pre-release of one to four short alphanumeric identifiers (`-rc.1`, `-14-generic`);
 * an optional build of one or two (`+build.5`). No identifier is longer than 20 characters and
 * the whole is at most 40, so `6.5.0+alice-laptop.corp.example.com` is refused.
 */
export const MAX_VERSION_LENGTH = 40;

const NUMBER = "(?:0|[1-9]\\d{0,5})";
const IDENTIFIER = "[0-9A-Za-z]{1,20}";
const PRE_RELEASE = `-${IDENTIFIER}(?:[.-]${IDENTIFIER}){0,3}`;
const BUILD = `\\+${IDENTIFIER}(?:\\.${IDENTIFIER})?`;
const VERSION = new RegExp(`^v?${NUMBER}(?:\\.${NUMBER}){0,2}(?:${PRE_RELEASE})?(?:${BUILD})?$`);
const FOUR_PART = new RegExp(`^v?${NUMBER}(?:\\.${NUMBER}){3}(${PRE_RELEASE})(?:${BUILD})?$`);

export function isVersion(value: string): boolean {
  if (value.length > MAX_VERSION_LENGTH) return false;
  if (VERSION.test(value)) return true;
  const fourPart = FOUR_PART.exec(value);
  return fourPart !== null && /[A-Za-z]/.test(fourPart[1] ?? "");
}
