/**
 * Sizes of JSON values without serialising them. Serialising every event of every batch only
 * to measure it was a sizeable share of the ingest path; these walk the values instead.
 */

/** JSON may escape a UTF-16 unit as `\uXXXX` (6 bytes); UTF-8 needs at most 3 per unit. */
const MAX_BYTES_PER_UNIT = 6;
/** Strings that JSON writes as they are, one byte per character. */
const PLAIN_ASCII = /^[\x20-\x21\x23-\x5b\x5d-\x7e]*$/;

/**
 * How deep a value handed to `jsonSizeUpperBound` may nest. The walk recurses, and so does
 * `JSON.stringify`: a body nested a hundred thousand levels deep (which `JSON.parse` accepts)
 * must be refused before either runs out of stack.
 */
export const MAX_JSON_DEPTH = 16;

/**
 * An upper bound of `value`'s size as UTF-8 JSON, or a number over `stopAt` as soon as the
 * bound passes it; `Infinity` when it nests deeper than MAX_JSON_DEPTH. Cheap: it looks at
 * each string's length, never at its characters.
 */
export function jsonSizeUpperBound(value: unknown, stopAt: number, depth = 0): number {
  if (typeof value === "string") return 2 + MAX_BYTES_PER_UNIT * value.length;
  if (value === null || typeof value !== "object") return 24; // numbers, booleans, null
  if (depth >= MAX_JSON_DEPTH) return Number.POSITIVE_INFINITY;
  let size = 2;
  if (Array.isArray(value)) {
    for (const item of value) {
      size += 1 + jsonSizeUpperBound(item, stopAt - size, depth + 1);
      if (size > stopAt) return size;
    }
    return size;
  }
  for (const key in value) {
    const item = (value as Record<string, unknown>)[key];
    size += 4 + MAX_BYTES_PER_UNIT * key.length + jsonSizeUpperBound(item, stopAt - size, depth + 1);
    if (size > stopAt) return size;
  }
  return size;
}

/**
 * The size of `value` as UTF-8 JSON, measured only as far as needed: an upper bound when that
 * is within `max` (cheap, the usual case), the exact size otherwise, or `undefined` when the
 * value nests deeper than MAX_JSON_DEPTH (it is then never serialised).
 */
export function measureJson(value: unknown, max: number): number | undefined {
  const bound = jsonSizeUpperBound(value, max);
  if (bound <= max) return bound;
  if (jsonSizeUpperBound(value, Number.POSITIVE_INFINITY) === Number.POSITIVE_INFINITY) return undefined;
  return jsonSize(value);
}

/** The exact size of `value` as UTF-8 JSON. */
export function jsonSize(value: unknown): number {
  return utf8Length(JSON.stringify(value) ?? "");
}

/**
 * A tight upper bound of the size of a flat object of strings, numbers and booleans as UTF-8
 * JSON: exact for plain ASCII strings, the worst case for the others.
 */
export function flatJsonSize(record: Readonly<Record<string, string | number | boolean>>): number {
  let size = 2;
  for (const key in record) {
    const value = record[key];
    size += stringSize(key) + 2 + (typeof value === "string" ? stringSize(value) : 24);
  }
  return size;
}

function stringSize(text: string): number {
  return 2 + (PLAIN_ASCII.test(text) ? text.length : MAX_BYTES_PER_UNIT * text.length);
}

/** UTF-8 length of a string without encoding it. */
function utf8Length(text: string): number {
  let bytes = text.length;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code >= 0x80) bytes += code >= 0x800 && (code < 0xd800 || code > 0xdfff) ? 2 : 1;
  }
  return bytes;
}
