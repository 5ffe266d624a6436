/**
 * Free text that the collector stores, where no closed set of values can serve, is written in
 * an alphabet in which no identifier can be spelled: ASCII letters, single spaces between words
 * and the punctuation of job titles (`' & ( ) , -`). No digit (no phone, card, SSN, address,
 * version or date), no `@`, `.`, `:`, `/`, `%`, `=`, `?`, `#`, `_`, `+` (no email, host name,
 * IPv6, MAC, URL, encoded or base64 token, JWT); ASCII only, so no full-width, ideographic or
 * look-alike separator and no invisible character gets through. At most `maxWords` words, so
 * letters spaced out one by one do not spell a token either. A name can still be written in
 * letters: the catalogue prefers an enum with `other` wherever the product allows. A separator
 * spelled as a word is a word like any other, so the words that spell one (`dot`, `at`, `colon`…)
 * are refused too: `example dot com`, `alice at example dot com` are no text.
 */

export interface TextBounds {
  maxLength: number;
  maxWords: number;
}

const ALPHABET = /^[A-Za-z'&(),-]+(?: [A-Za-z'&(),-]+)*$/;
const LETTER = /[A-Za-z]/;
const SPELLED_SEPARATOR = /(?:^|[^A-Za-z])(?:at|dot|dash|hyphen|colon|slash|underscore|point|period)(?![A-Za-z])/i;

/** Why the value is not text of the restricted alphabet within the bounds, or undefined when it is. */
export function textProblem(value: string, bounds: TextBounds): "too_long" | "alphabet" | "too_many_words" | undefined {
  if (value.length > bounds.maxLength) return "too_long";
  if (!ALPHABET.test(value) || !LETTER.test(value) || SPELLED_SEPARATOR.test(value)) return "alphabet";
  if (value.split(" ").length > bounds.maxWords) return "too_many_words";
  return undefined;
}

export function isRestrictedText(value: string, bounds: TextBounds): boolean {
  return textProblem(value, bounds) === undefined;
}
