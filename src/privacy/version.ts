/**
 * Version properties (`app_version`, `os_version`) become aggregate dimensions, so they must be
 * versions and nothing else: never a host name or an address slipped in as build metadata.
 * The grammar: an optional `v`; one to three numeric parts without leading zeros (a fourth
 * only when a pre-release suffix with a letter follows, as in WSL's
 * `5.15.153.1-microsoft-standard-WSL2`, so a bare IPv4 address is never a version); an
 * optional pre-release of one to four short alphanumeric identifiers joined by `-`, where an
 * identifier after a `.` is a number (`-rc.1`, `-14-generic`, `-beta.2`); an optional build of
 * one identifier and, after a `.`, a number (`+build.5`). A `.` is never followed by letters
 * outside the numeric core, so no host name fits (`6.5.0+alice-laptop.corp.example.com`,
 * `7-host.example.com`). No identifier is longer than 20 characters, the whole at most 40.
 */
export const MAX_VERSION_LENGTH = 40;

const NUMBER = "(?:0|[1-9]\\d{0,5})";
const IDENTIFIER = "[0-9A-Za-z]{1,20}";
const NUMERIC = "\\d{1,10}";
const PRE_RELEASE = `-${IDENTIFIER}(?:-${IDENTIFIER}|\\.${NUMERIC}){0,3}`;
const BUILD = `\\+${IDENTIFIER}(?:\\.${NUMERIC})?`;
const VERSION = new RegExp(`^v?${NUMBER}(?:\\.${NUMBER}){0,2}(?:${PRE_RELEASE})?(?:${BUILD})?$`);
const FOUR_PART = new RegExp(`^v?${NUMBER}(?:\\.${NUMBER}){3}(${PRE_RELEASE})(?:${BUILD})?$`);

export function isVersion(value: string): boolean {
  if (value.length > MAX_VERSION_LENGTH) return false;
  if (VERSION.test(value)) return true;
  const fourPart = FOUR_PART.exec(value);
  return fourPart !== null && /[A-Za-z]/.test(fourPart[1] ?? "");
}
